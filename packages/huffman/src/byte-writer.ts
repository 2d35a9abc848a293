/** Growable little-endian byte output with LEB128 varints. */
export class ByteWriter {
  private bytes: Uint8Array
  length = 0

  constructor(initialCapacity = 1024) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacity))
  }

  /** Makes room for `count` more bytes and returns the backing array to write into at `length`. */
  reserve(count: number): Uint8Array {
    const needed = this.length + count
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2))
      grown.set(this.bytes.subarray(0, this.length))
      this.bytes = grown
    }
    return this.bytes
  }

  byte(value: number): void {
    this.reserve(1)[this.length++] = value
  }

  varint(value: number): void {
    const bytes = this.reserve(5)
    while (value >= 0x80) {
      bytes[this.length++] = (value & 0x7f) | 0x80
      value >>>= 7
    }
    bytes[this.length++] = value
  }

  append(chunk: Uint8Array): void {
    this.reserve(chunk.length).set(chunk, this.length)
    this.length += chunk.length
  }

  /**
   * The bytes written. A writer filled to at least 7/8 of its capacity hands over its buffer
   * instead of copying it (the writer must not be used after); sparser ones return a copy.
   */
  result(): Uint8Array {
    if (this.length >= this.bytes.length - (this.bytes.length >>> 3)) return this.bytes.subarray(0, this.length)
    return this.bytes.slice(0, this.length)
  }
}

/** Bytes a varint of `value` takes. */
export function varintSize(value: number): number {
  let size = 1
  while (value >= 0x80) {
    value >>>= 7
    size++
  }
  return size
}

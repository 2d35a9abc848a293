/** Raw bits, least significant first, packed into bytes (the residual codec's low bits). */
export class BitWriter {
  private bytes: Uint8Array
  private length = 0
  private buffer = 0
  private filled = 0

  constructor(capacity = 1024) {
    this.bytes = new Uint8Array(Math.max(16, capacity))
  }

  /** Appends the low `count` (0..16) bits of `value`. */
  write(value: number, count: number): void {
    this.buffer |= value << this.filled
    this.filled += count
    while (this.filled >= 8) {
      if (this.length === this.bytes.length) this.grow()
      this.bytes[this.length++] = this.buffer & 0xff
      this.buffer >>>= 8
      this.filled -= 8
    }
  }

  /** The bytes written; the last byte's unused high bits are 0. */
  result(): Uint8Array {
    if (this.filled > 0) {
      if (this.length === this.bytes.length) this.grow()
      this.bytes[this.length++] = this.buffer & 0xff
      this.buffer = 0
      this.filled = 0
    }
    return this.bytes.slice(0, this.length)
  }

  private grow(): void {
    const grown = new Uint8Array(this.bytes.length * 2)
    grown.set(this.bytes)
    this.bytes = grown
  }
}

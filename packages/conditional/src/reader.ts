import { ConditionalError, type ConditionalProblem } from './errors.js'

/** Bounds-checked cursor over a stream; every read past the end throws 'truncated'. */
export class Reader {
  pos: number

  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  byte(field: string): number {
    if (this.pos >= this.bytes.length) throw new ConditionalError('truncated', `stream ends inside ${field}`, { field })
    return this.bytes[this.pos++] as number
  }

  u32(field: string): number {
    const b = this.take(4, field)
    return ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16) | ((b[3] as number) << 24)) >>> 0
  }

  /** LEB128 of at most 32 bits, no overlong spellings (as in docs/huffman.md). */
  varint(field: string): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte(field)
      if (shift === 28 && byte > 0x0f) break
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) {
        if (byte === 0 && shift > 0) break
        return value
      }
    }
    throw new ConditionalError('bad-header', 'malformed varint', { field })
  }

  /** A varint checked against `max` before anything is allocated from it. */
  bounded(field: string, max: number, problem: ConditionalProblem = 'too-large'): number {
    const value = this.varint(field)
    if (value > max) throw new ConditionalError(problem, `${field} ${value} exceeds ${max}`, { field })
    return value
  }

  take(count: number, field: string): Uint8Array {
    if (count > this.remaining) throw new ConditionalError('truncated', `${field} needs ${count} bytes, ${this.remaining} left`, { field })
    const chunk = this.bytes.subarray(this.pos, this.pos + count)
    this.pos += count
    return chunk
  }

  expectEnd(): void {
    if (this.remaining !== 0) throw new ConditionalError('trailing-bytes', `${this.remaining} bytes after the end of the stream`)
  }
}

import { HuffmanError, type HuffmanProblem } from './errors.js'

/** Bounds-checked cursor over a byte range; every read past `end` throws 'truncated'. */
export class ByteReader {
  pos: number

  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {
    this.pos = start
  }

  get remaining(): number {
    return this.end - this.pos
  }

  byte(field: string): number {
    if (this.pos >= this.end) throw new HuffmanError('truncated', `stream ends inside ${field}`, { field })
    return this.bytes[this.pos++] as number
  }

  /** LEB128 up to 32 bits; longer or overlong encodings are refused so each value has one spelling. */
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
    throw new HuffmanError('bad-header', `malformed varint`, { field })
  }

  /** A varint that must not exceed `max` (checked before anything is allocated from it). */
  boundedVarint(field: string, max: number, problem: HuffmanProblem = 'too-large'): number {
    const value = this.varint(field)
    if (value > max) throw new HuffmanError(problem, `${field} ${value} exceeds ${max}`, { field })
    return value
  }

  take(count: number, field: string): Uint8Array {
    if (count > this.remaining) throw new HuffmanError('truncated', `${field} needs ${count} bytes, ${this.remaining} left`, { field })
    const chunk = this.bytes.subarray(this.pos, this.pos + count)
    this.pos += count
    return chunk
  }
}

import type { ErrorContext } from '@qchain/errors'
import { HuffmanError, type HuffmanProblem } from './errors.js'

/** The problems the reader itself raises; a stream format's own error type must have them. */
export type ReadProblem = 'truncated' | 'bad-header' | 'too-large'

/** Makes the error a reader throws, so each stream format reports in its own error type. */
export type ReadFailure<Problem extends string> = (problem: Problem | ReadProblem, detail: string, context: ErrorContext) => Error

const huffmanFailure: ReadFailure<HuffmanProblem> = (problem, detail, context) => new HuffmanError(problem, detail, context)

/** Bounds-checked cursor over a byte range; every read past `end` throws 'truncated'. */
export class ByteReader<Problem extends string = HuffmanProblem> {
  pos: number

  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
    private readonly fail: ReadFailure<Problem> = huffmanFailure as ReadFailure<string>,
  ) {
    this.pos = start
  }

  get remaining(): number {
    return this.end - this.pos
  }

  byte(field: string): number {
    if (this.pos >= this.end) throw this.fail('truncated', `stream ends inside ${field}`, { field })
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
    throw this.fail('bad-header', 'malformed varint', { field })
  }

  /** A varint that must not exceed `max` (checked before anything is allocated from it). */
  boundedVarint(field: string, max: number, problem: Problem | ReadProblem = 'too-large'): number {
    const value = this.varint(field)
    if (value > max) throw this.fail(problem, `${field} ${value} exceeds ${max}`, { field })
    return value
  }

  take(count: number, field: string): Uint8Array {
    if (count > this.remaining) throw this.fail('truncated', `${field} needs ${count} bytes, ${this.remaining} left`, { field })
    const chunk = this.bytes.subarray(this.pos, this.pos + count)
    this.pos += count
    return chunk
  }
}

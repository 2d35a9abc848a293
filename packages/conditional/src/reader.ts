import { ByteReader } from '@qchain/huffman'
import { ConditionalError, type ConditionalProblem } from './errors.js'

/** @qchain/huffman's bounds-checked cursor over a whole stream, reporting ConditionalErrors. */
export class Reader extends ByteReader<ConditionalProblem> {
  constructor(bytes: Uint8Array, pos = 0) {
    super(bytes, pos, bytes.length, (problem, detail, context) => new ConditionalError(problem, detail, context))
  }

  u32(field: string): number {
    const b = this.take(4, field)
    return ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16) | ((b[3] as number) << 24)) >>> 0
  }

  expectEnd(): void {
    if (this.remaining !== 0) throw new ConditionalError('trailing-bytes', `${this.remaining} bytes after the end of the stream`)
  }
}

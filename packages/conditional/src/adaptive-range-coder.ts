import { ByteWriter } from '@qchain/huffman'

/**
 * Binary range coder with 32-bit low and range (integers held in doubles, every intermediate
 * below 2^33, so the arithmetic is exact in every engine). A probability p is P(bit = 0) in 1/65536ths,
 * 1..65535; the 0 bit takes the bottom `bound = (range >>> 16) * p` of the range. Bytes come out
 * most significant first whenever range drops below 2^24; a carry out of low is added into the
 * bytes already written. The encoder ends by writing low's 4 bytes, so a decoder reads exactly
 * every byte of the stream and ends with its code register at 0.
 */
export const PROBABILITY_ONE = 65536
const TOP = 2 ** 24
const WRAP = 2 ** 32

export class RangeEncoder {
  private low = 0
  private range = WRAP - 1
  private readonly out = new ByteWriter(4096)

  encode(bit: number, p: number): void {
    const bound = (this.range >>> 16) * p
    if (bit === 0) {
      this.range = bound
    } else {
      this.low += bound
      this.range -= bound
      if (this.low >= WRAP) this.carry()
    }
    while (this.range < TOP) {
      this.out.byte(this.low >>> 24)
      this.low = (this.low % TOP) * 256
      this.range *= 256
    }
  }

  /** The coded bytes; the encoder is spent after this. */
  finish(): Uint8Array {
    for (let shift = 24; shift >= 0; shift -= 8) this.out.byte((this.low >>> shift) & 0xff)
    return this.out.result()
  }

  /** low passed 2^32: add one to the bytes written (the interval stays below 1, so a byte that is not 0xff exists). */
  private carry(): void {
    this.low -= WRAP
    const bytes = this.out.reserve(0)
    let at = this.out.length - 1
    while (bytes[at] === 0xff) bytes[at--] = 0
    bytes[at]!++
  }
}

export class RangeDecoder {
  private code = 0
  private range = WRAP - 1
  /** Bytes read so far, counting those past the end (read as 0). */
  private pos: number

  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.pos = start
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.next()
  }

  decode(p: number): number {
    const bound = (this.range >>> 16) * p
    let bit = 0
    if (this.code < bound) {
      this.range = bound
    } else {
      this.code -= bound
      this.range -= bound
      bit = 1
    }
    while (this.range < TOP) {
      // A corrupt stream can leave code above range; keeping it below 2^32 bounds the work.
      this.code = (this.code % TOP) * 256 + this.next()
      this.range *= 256
    }
    return bit
  }

  /** A well-formed stream was read exactly to its end and leaves the code register at 0. */
  get endedCleanly(): boolean {
    return this.pos === this.end && this.code === 0
  }

  private next(): number {
    const at = this.pos++
    return at < this.end ? (this.bytes[at] as number) : 0
  }
}

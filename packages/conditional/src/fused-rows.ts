import { ESCAPE_FLAG, LANES, PEEK_ENTRIES, STATIC_CODE_LIMIT, UNUSED_VALUE_BIT } from './fused-code.js'
import type { RowPredictor } from './half-predictor.js'

/**
 * Zero bytes after a slab. Between the checks after each row, a lane reads past its end by at
 * most ceil(cols / 4) elements' bits (86 in the fast kernel, whose advance is a length byte that
 * may carry ESCAPE_FLAG plus k <= 11; 27 in the careful one, an 11-bit code and a 16-bit escape)
 * and one 8-byte load: under 2.7 * cols + 19 bytes.
 */
export const streamPadding = (cols: number): number => 4 * cols + 16

/**
 * Decodes a static body's rows (fused-read.ts runs the checks between calls): the decode
 * lookups (PEEK_ENTRIES per table, the unused contexts' last) are filled by the caller into
 * `entries`, and the slabs' bytes given by setStream.
 */
export interface StaticRows {
  readonly entries: Int16Array
  setStream(stream: Uint8Array): void
  /** Each lane's bit position, counted from its slab's first byte: set by the caller at a slab's start, advanced by slab(). */
  readonly positions: Int32Array
  /**
   * Decodes rows first..end-1, the slab starting at byte `slabStart` of the stream (row
   * `first` its first, in lane 0). Stops after the first row that leaves a lane's position
   * past its end in `ends` (counted like positions) and returns that row, else -1.
   */
  slab(first: number, end: number, slabStart: number, ends: Float64Array, escapeBits: number, ordered: boolean): number
  /** The OR of every value decoded so far. */
  seen(): number
}

/** The reference loop, writing straight into `out` (which, like the parent's codes, starts at the predictor's firstRow). */
export class TypeScriptRows implements StaticRows {
  readonly entries: Int16Array
  readonly positions = new Int32Array(LANES)
  private stream = new Uint8Array(0)
  private seenBits = 0

  constructor(
    private readonly cols: number,
    private readonly predict: RowPredictor,
    tables: number,
    private readonly out: Uint16Array | Uint8Array,
  ) {
    this.entries = new Int16Array(tables * PEEK_ENTRIES)
  }

  /** Keeps a copy of the slabs with zero padding for a row's overrun. */
  setStream(stream: Uint8Array): void {
    this.stream = new Uint8Array(stream.length + streamPadding(this.cols))
    this.stream.set(stream)
  }

  slab(first: number, end: number, slabStart: number, ends: Float64Array, escapeBits: number, ordered: boolean): number {
    const { positions } = this
    for (let r = first, phase = 0; r < end; r++, phase = (phase + this.cols) & (LANES - 1)) {
      this.row(r, slabStart, phase, escapeBits, ordered)
      for (let x = 0; x < LANES; x++) if ((positions[x] as number) > (ends[x] as number)) return r
    }
    return -1
  }

  private row(row: number, slabStart: number, phase: number, escapeBits: number, ordered: boolean): void {
    const { cols, predict, entries, stream, out, positions } = this
    const { table, columnBase, parentCodes, firstRow } = predict
    predict.prepare(row)
    // fromOrdered(v) = v ^ (v >= 0x8000 ? 0x8000 : 0xffff); codes pass unchanged.
    const flip = ordered ? 0xffff : 0
    const flipDelta = ordered ? 0x7fff : 0
    const escapeMask = (1 << escapeBits) - 1
    let seen = this.seenBits
    for (let j = 0, i = (row - firstRow) * cols, lane = phase; j < cols; j++, i++, lane = (lane + 1) & (LANES - 1)) {
      const entry = table[(columnBase[j] as number) + (parentCodes[i] as number)] as number
      let pos = positions[lane] as number
      let byte = slabStart + (pos >>> 3)
      // 25 bits: an 11-bit code and up to 11 low bits
      let window = ((stream[byte] as number) | ((stream[byte + 1] as number) << 8) | ((stream[byte + 2] as number) << 16) | ((stream[byte + 3] as number) << 24)) >>> (pos & 7)
      const decoded = entries[(((entry >>> 16) & 63) << STATIC_CODE_LIMIT) | (window & (PEEK_ENTRIES - 1))] as number
      const length = decoded & 15
      pos += length
      let value: number
      if (decoded & ESCAPE_FLAG) {
        byte = slabStart + (pos >>> 3)
        window = ((stream[byte] as number) | ((stream[byte + 1] as number) << 8) | ((stream[byte + 2] as number) << 16)) >>> (pos & 7)
        value = (window & escapeMask) | ((decoded >> 8) & UNUSED_VALUE_BIT)
        pos += escapeBits
      } else {
        const k = entry >>> 22
        value = (entry & 0xffff) + ((decoded >> 8) << k) + ((window >>> length) & ((1 << k) - 1))
        pos += k
      }
      positions[lane] = pos
      seen |= value
      out[i] = value ^ (flip ^ (((value >>> 15) & 1) * flipDelta))
    }
    this.seenBits = seen
  }

  seen(): number {
    return this.seenBits
  }
}

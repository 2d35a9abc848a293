import { PAIR_RECORD_BYTES } from './code-entries-code.js'
import type { CodeRowSource } from './code-predictor.js'
import { wholeLength } from './entry-loop-code.js'
import type { ResidualKernels } from './kernel-module.js'

/**
 * Computes a GPTQ child's row entries in the code entries kernel, into the table region of a
 * decode or encode space. Regions from `base`: per group pair its record (8-byte aligned), per
 * entry its stamp.
 */
export class CodeRows {
  private readonly records: number
  private readonly stamps: number
  private readonly whole: number
  /** Tags the entries each fill computes (stamps), so a row filled again, e.g. under another map, is computed again. */
  private fills = 0
  private readonly views: { scales: Float64Array; words: Int32Array }
  private map: Uint8Array | null = null

  constructor(
    private readonly kernels: ResidualKernels,
    base: number,
    private readonly source: CodeRowSource,
    private readonly cols: number,
    tableLength: number,
  ) {
    this.records = (base + 7) & ~7
    this.stamps = this.records + PAIR_RECORD_BYTES * source.pairs
    this.whole = wholeLength(tableLength, cols)
    const buffer = kernels.memory.buffer
    new Int32Array(buffer, this.stamps, tableLength).fill(0)
    // Valid for the tensor: its space does not grow the memory again.
    this.views = { scales: new Float64Array(buffer, this.records, 4 * source.pairs), words: new Int32Array(buffer, this.records, (PAIR_RECORD_BYTES / 4) * source.pairs) }
  }

  /** Bytes the regions take from a 4-byte aligned base. */
  static bytes(pairs: number, tableLength: number): number {
    return 4 + PAIR_RECORD_BYTES * pairs + 4 * tableLength
  }

  /** The context id -> table number map the entries carry (identity without one). */
  setMap(map: Uint8Array | null): void {
    this.map = map
  }

  /** Writes row `row`'s entries for the codes at `codes` (the row's parent codes) into `table`. */
  fill(row: number, codes: number, columnBase: number, table: number): void {
    this.source.rowPairs(row, this.views.scales, this.views.words, this.map)
    this.kernels.codeEntries(codes, this.cols, columnBase, this.stamps, ++this.fills, this.source.parentBits, this.whole, table, this.records, this.source.maxCode)
  }
}

import { contextBitsTable, LAMBDA_SPAN } from './context.js'
import type { QuantRowSource } from './half-predictor.js'
import type { ResidualKernels } from './kernel-module.js'

/**
 * Rows compute their table whole (four entries at a time in SIMD, quant-entries-simd-code.ts)
 * when it has at most this many entries per column, else the entries their codes use, one by
 * one (stamps): on GPTQ-8 g128 rows (two entries per column, most of them used) whole is about
 * 2.5x faster.
 */
const WHOLE_PER_COLUMN = 4

/** Context bits of both families, i32 each. */
const CONTEXT_BYTES = 8 * LAMBDA_SPAN

/**
 * Computes a GPTQ or LLM.int8 parent's row entries in the entries kernel, into the table region of a
 * decode or encode space (instead of prepare() and a copy). Regions from `base`: context bits
 * by family and lambda, per group scale, zero and lambdas, per entry its stamp.
 */
export class QuantRows {
  private readonly contexts: number
  private readonly scales: number
  private readonly zeros: number
  private readonly lambdas: number
  private readonly stamps: number
  private readonly whole: number
  /** Tags the entries each fill computes (stamps), so a row filled again, e.g. under another map, is computed again. */
  private fills = 0
  private readonly views: { scales: Float32Array; zeros: Int32Array; lambdas: Int32Array }

  constructor(
    private readonly kernels: ResidualKernels,
    base: number,
    private readonly source: QuantRowSource,
    private readonly cols: number,
    tableLength: number,
  ) {
    this.contexts = base
    this.scales = base + CONTEXT_BYTES
    this.zeros = this.scales + 4 * source.groups
    this.lambdas = this.zeros + 4 * source.groups
    this.stamps = this.lambdas + 8 * source.groups
    this.whole = tableLength <= WHOLE_PER_COLUMN * cols ? tableLength : 0
    const buffer = kernels.memory.buffer
    new Int32Array(buffer, this.stamps, tableLength).fill(0)
    // Valid for the tensor: its space does not grow the memory again.
    this.views = { scales: new Float32Array(buffer, this.scales, source.groups), zeros: new Int32Array(buffer, this.zeros, source.groups), lambdas: new Int32Array(buffer, this.lambdas, 2 * source.groups) }
    this.setMap(null)
  }

  /** Bytes the regions take (4-byte aligned from an aligned base). */
  static bytes(groups: number, tableLength: number): number {
    return CONTEXT_BYTES + 16 * groups + 4 * tableLength
  }

  /** The context id -> table number map the entries carry (identity without one). */
  setMap(map: Uint8Array | null): void {
    new Int32Array(this.kernels.memory.buffer, this.contexts, 2 * LAMBDA_SPAN).set(contextBitsTable(map))
  }

  /** Writes row `row`'s entries for the codes at `codes` (the row's parent codes) into `table`. */
  fill(row: number, codes: number, columnBase: number, table: number): void {
    this.source.rowGroups(row, this.views.scales, this.views.zeros, this.views.lambdas)
    this.kernels.quantEntries[this.source.format](codes, this.cols, columnBase, this.stamps, ++this.fills, this.source.bits, this.whole, table, this.scales, this.zeros, this.lambdas, this.contexts, this.source.signed ? 24 : 0)
  }
}

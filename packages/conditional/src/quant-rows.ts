import type { QuantRowSource } from './half-predictor.js'
import type { ResidualKernels } from './kernel-module.js'

/**
 * Computes a GPTQ parent's row entries in the entries kernel, into the table region of a
 * decode or encode space (instead of prepare() and a copy). Regions from `base`: context map
 * (64 bytes), per column its group, per group scale, zero and lambdas, per entry its stamp.
 */
export class QuantRows {
  private readonly map: number
  private readonly groupOf: number
  private readonly scales: number
  private readonly zeros: number
  private readonly lambdas: number
  private readonly stamps: number
  private readonly views: { scales: Float32Array; zeros: Int32Array; lambdas: Int32Array }

  constructor(
    private readonly kernels: ResidualKernels,
    base: number,
    private readonly source: QuantRowSource,
    private readonly cols: number,
    tableLength: number,
  ) {
    this.map = base
    this.groupOf = base + 64
    this.scales = this.groupOf + 4 * cols
    this.zeros = this.scales + 4 * source.groups
    this.lambdas = this.zeros + 4 * source.groups
    this.stamps = this.lambdas + 8 * source.groups
    const buffer = kernels.memory.buffer
    new Int32Array(buffer, this.groupOf, cols).set(source.gIdx)
    new Int32Array(buffer, this.stamps, tableLength).fill(0)
    // Valid for the tensor: its space does not grow the memory again.
    this.views = { scales: new Float32Array(buffer, this.scales, source.groups), zeros: new Int32Array(buffer, this.zeros, source.groups), lambdas: new Int32Array(buffer, this.lambdas, 2 * source.groups) }
    this.setMap(null)
  }

  /** Bytes the regions take (4-byte aligned from an aligned base). */
  static bytes(cols: number, groups: number, tableLength: number): number {
    return 64 + 4 * cols + 16 * groups + 4 * tableLength
  }

  /** The context id -> table number map the entries carry (identity without one). */
  setMap(map: Uint8Array | null): void {
    new Uint8Array(this.kernels.memory.buffer, this.map, 64).set(map ?? Uint8Array.from({ length: 64 }, (_, c) => c))
  }

  /** Writes row `row`'s entries for the codes at `codes` (the row's parent codes) into `table`. */
  fill(row: number, codes: number, columnBase: number, table: number): void {
    this.source.rowGroups(row, this.views.scales, this.views.zeros, this.views.lambdas)
    this.kernels.quantEntries[this.source.format](codes, this.cols, columnBase, this.groupOf, this.scales, this.zeros, this.lambdas, this.stamps, row + 1, table, this.map)
  }
}

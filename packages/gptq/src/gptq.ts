import { CorrectionChunks } from './corrections.js'
import { maxCode, quantizeCode } from './grid.js'
import { GroupParams } from './group-params.js'
import { groupLayout, type GroupLayout } from './groups.js'
import { addDamping, descendingDiagonalOrder, handleDeadInputs, identityOrder, permuteColumns, permuteSymmetric } from './hessian-prep.js'
import type { QuantizedLayer } from './layer.js'
import { accumulateBlock, copyBlock, transpose } from './linalg/blocks.js'
import { invertUpperDense } from './linalg/dense.js'
import { upperHessianFactor } from './linalg/hessian-factor.js'
import { matmul } from './linalg/matmul.js'
import { checkMatrix, resolveGptqOptions, type GptqOptions, type ResolvedGptqOptions } from './options.js'
import { initTfjsWasm } from './tfjs.js'

/** Columns per scalar loop inside a lazy batch (see LazyBatchQuantizer). */
const SUB_BLOCK = 32

/**
 * GPTQ (arXiv 2210.17323) of one linear layer: weight [rows = out, cols = in] row-major,
 * hessian [cols, cols] = (2/n) sum x x^T over the calibration inputs (see HessianAccumulator).
 * Follows the reference fasterquant, including where dynamic groups are fitted: from W as it
 * stands at the start of the lazy batch that holds the group's first column.
 */
export async function gptqQuantize(
  weight: Float32Array,
  rows: number,
  cols: number,
  hessian: Float32Array,
  options: GptqOptions,
): Promise<QuantizedLayer> {
  const settings = resolveGptqOptions(options)
  checkMatrix(weight, rows, cols, 'weight')
  checkMatrix(hessian, cols, cols, 'hessian')
  await initTfjsWasm()

  const original = Float32Array.from(weight)
  let h: Float32Array = Float32Array.from(hessian)
  handleDeadInputs(h, original, rows, cols)
  const { actOrder, staticGroups, blockSize } = settings
  const order = actOrder ? descendingDiagonalOrder(h, cols) : identityOrder(cols)
  const layout = groupLayout(cols, settings.groupSize, order, staticGroups)
  const params = new GroupParams(layout, rows, cols, settings)
  if (staticGroups) params.fitAll(original)
  const w = actOrder ? permuteColumns(original, rows, cols, order) : original
  if (actOrder) h = permuteSymmetric(h, cols, order)
  addDamping(h, cols, settings.dampPercent)
  const factor = upperHessianFactor(h, cols, settings.linalg)

  const quantizer = new LazyBatchQuantizer(w, rows, cols, factor, order, layout, params, settings)
  try {
    for (let i1 = 0; i1 < cols; i1 += blockSize) quantizer.quantizeBlock(i1, Math.min(i1 + blockSize, cols))
  } finally {
    quantizer.dispose()
  }
  return {
    rows,
    cols,
    bits: settings.bits,
    groupSize: settings.groupSize,
    sym: settings.sym,
    codes: quantizer.codes,
    scales: params.scaleBits,
    zeros: params.zeros,
    gIdx: layout.gIdx,
    weight: quantizer.dequantized,
    loss: quantizer.loss / 2,
  }
}

/**
 * The reference's column loop, column i: q = quant(w_i), err = (w_i - q) / Hinv[i,i],
 * w[i+1:] -= err Hinv[i, i+1:], with Hinv = V^-1 (see upperHessianFactor). Written with V, the
 * same recurrence reads w_j = W_j + (1/V_jj) sum_{i<j} D_i V_ij with D = W - Q, which needs
 * no inverse; err = (w_j - q_j) V_jj. The sum is batched on two levels: the batches before
 * arrive through CorrectionChunks (one matmul per later batch), and inside a batch the scalar
 * loop runs over SUB_BLOCK columns whose feedback to the rest of the batch is one small matmul.
 */
class LazyBatchQuantizer {
  readonly codes: Uint8Array
  readonly dequantized: Float32Array
  loss = 0
  private readonly maxq: number
  private readonly corrections: CorrectionChunks
  private readonly scratch = new Float64Array(SUB_BLOCK)

  constructor(
    private readonly w: Float32Array,
    private readonly rows: number,
    private readonly cols: number,
    private readonly v: Float32Array,
    private readonly order: Int32Array,
    private readonly layout: GroupLayout,
    private readonly params: GroupParams,
    private readonly settings: ResolvedGptqOptions,
  ) {
    this.codes = new Uint8Array(rows * cols)
    this.dequantized = new Float32Array(rows * cols)
    this.maxq = maxCode(settings.bits)
    this.corrections = new CorrectionChunks(rows, cols, settings.blockSize)
  }

  /** Quantizes columns [i1, i2) of the processing order and passes their error on. */
  quantizeBlock(i1: number, i2: number): void {
    const { rows, cols, layout } = this
    if (!this.settings.staticGroups) {
      for (let g = Math.ceil(i1 / layout.width); g * layout.width < i2; g++) this.fitGroup(g, i1)
    }
    const count = i2 - i1
    // Block-local [rows, count] copies keep the row loops inside a few MB instead of striding over W.
    const batch: Batch = {
      start: i1,
      count,
      weight: copyBlock(this.w, cols, 0, rows, i1, i2),
      pending: transpose(this.corrections.read(i1, i2), count, rows),
      diffs: new Float32Array(rows * count),
      codes: new Uint8Array(rows * count),
      restored: new Float32Array(rows * count),
    }
    const vBlock = copyBlock(this.v, cols, i1, i2, i1, i2)
    for (let s0 = 0; s0 < count; s0 += SUB_BLOCK) {
      const s1 = Math.min(s0 + SUB_BLOCK, count)
      const triangleT = Float64Array.from(transpose(copyBlock(vBlock, count, s0, s1, s0, s1), s1 - s0, s1 - s0))
      for (let r = 0; r < rows; r++) this.quantizeRow(r, batch, s0, s1, triangleT)
      if (s1 === count) break
      const feedback = matmul(copyBlock(batch.diffs, count, 0, rows, s0, s1), copyBlock(vBlock, count, s0, s1, s1, count), rows, s1 - s0, count - s1)
      accumulateBlock(batch.pending, count, 0, s1, feedback, count - s1, 1)
    }
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < count; i++) {
        const column = r * cols + (this.order[i1 + i] as number)
        this.codes[column] = batch.codes[r * count + i] as number
        this.dequantized[column] = batch.restored[r * count + i] as number
      }
    }
    this.corrections.propagate(i1 / this.settings.blockSize, transpose(batch.diffs, rows, count), this.v)
  }

  dispose(): void {
    this.corrections.dispose()
  }

  /**
   * Fits group g from W as the reference has it when batch [i1, ...) starts: every earlier batch
   * applied, nothing of this one. With T = D V of the earlier batches (the pending corrections)
   * that state is W + T V[i1:c1, i1:c1]^-1 for columns up to c1, the triangle's inverse undoing
   * the coupling inside the batch; its first column is the W + T / V_jj the loop uses.
   */
  private fitGroup(g: number, i1: number): void {
    const { rows, cols, layout } = this
    const c0 = g * layout.width
    const c1 = Math.min(c0 + layout.width, cols)
    const span = c1 - i1
    let state = transpose(this.corrections.read(i1, c1), span, rows)
    // Before the first batch nothing is pending.
    if (i1 > 0) {
      const inverse = Float32Array.from(invertUpperDense(Float64Array.from(copyBlock(this.v, cols, i1, c1, i1, c1)), span))
      state = matmul(state, inverse, rows, span, span)
    }
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < span; c++) state[r * span + c] = (state[r * span + c] as number) + (this.w[r * cols + i1 + c] as number)
    }
    this.params.fit(g, state, span, 1, c0 - i1)
  }

  /**
   * Block columns [s0, s1) of one row. The sum over this sub-block's earlier columns is a dot
   * product with a column of the triangle (stored transposed), so the loop keeps it in a register.
   */
  private quantizeRow(r: number, batch: Batch, s0: number, s1: number, triangleT: Float64Array): void {
    const { scratch: rowDiffs, maxq } = this
    const { scales, zeros } = this.params
    const { groupAt } = this.layout
    const width = s1 - s0
    const base = r * batch.count + s0
    let loss = 0
    for (let i = 0; i < width; i++) {
      const at = (groupAt[batch.start + s0 + i] as number) * this.rows + r
      const scale = scales[at] as number
      const zero = zeros[at] as number
      const from = i * width
      let sum = batch.pending[base + i] as number
      for (let k = 0; k < i; k++) sum += (rowDiffs[k] as number) * (triangleT[from + k] as number)
      const diagonal = triangleT[from + i] as number
      const start = batch.weight[base + i] as number
      const value = start + sum / diagonal
      const code = quantizeCode(value, scale, zero, maxq)
      const restored = scale * (code - zero)
      const error = (value - restored) * diagonal
      loss += error * error
      const diff = start - restored
      rowDiffs[i] = diff
      batch.diffs[base + i] = diff
      batch.codes[base + i] = code
      batch.restored[base + i] = restored
    }
    this.loss += loss
  }
}

/** One lazy batch of columns [start, start + count), every array block-local [rows, count]. */
interface Batch {
  start: number
  count: number
  weight: Float32Array
  /** sum_{i<j} D_i V_ij over the columns already quantized, for each column j of the batch. */
  pending: Float32Array
  diffs: Float32Array
  codes: Uint8Array
  restored: Float32Array
}

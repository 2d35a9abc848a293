import { childRowValues, checkPair } from './child-rows.js'
import { codePredictor } from './code-predictor.js'
import { CONTEXT_COUNT, LOW_BITS_SHIFT } from './context.js'
import { halfPredictor, type RowPredictor } from './half-predictor.js'
import { encodeQstoreReport, type QstoreReport } from './qstore-codec.js'
import { encodeResidualReport, type ResidualReport } from './residual-codec.js'
import { isHalfMatrix, isInt8Level, type Child, type Parent } from './types.js'

/** Residuals of 16-bit children span -65535..65535. */
const OFFSET = 65536

/** Sizes of one pair (a level given its parent, over many tensors) under both codecs, and the bound. */
export interface PairAnalysis {
  tensors: number
  weights: number
  residual: ResidualReport & { total: number }
  qstore: QstoreReport & { total: number }
  /**
   * Order-0 conditional entropy of the residual (child - prediction, in child steps) given the
   * residual codec's context (the quarter-octave bin width: table context and low-bit count),
   * with the contexts' statistics pooled over all tensors of the pair.
   */
  boundBits: number
  /** The same entropy with each tensor's statistics apart (lower: it fits each small tensor). */
  perTensorBoundBits: number
}

/** Feeds tensors of one pair one by one; `result` sums them. */
export class PairAnalyzer {
  /** Keyed by the codec's whole context: table context and low-bit count (bits 16.. of an entry). */
  private readonly pooled: (Float64Array | undefined)[] = Array.from({ length: CONTEXT_COUNT << LOW_BITS_SHIFT }, () => undefined)
  private readonly local = new Map<number, number>()
  private perTensorBits = 0
  private readonly totals: PairAnalysis

  constructor() {
    const residual = { total: 0, header: 0, sideInfo: 0, framing: 0, tables: 0, payload: 0, lowBits: 0, escapes: 0 }
    const qstore = { total: 0, header: 0, sideInfo: 0, tables: 0, payload: 0, buckets: 0 }
    this.totals = { tensors: 0, weights: 0, residual, qstore, boundBits: 0, perTensorBoundBits: 0 }
  }

  add(child: Child, parent: Parent): void {
    checkPair(child, parent)
    const residual = encodeResidualReport(child, parent)
    const qstore = encodeQstoreReport(child, parent)
    addInto(this.totals.residual, { ...residual.report, total: residual.bytes.length })
    addInto(this.totals.qstore, { ...qstore.report, total: qstore.bytes.length })
    this.totals.tensors++
    this.totals.weights += child.rows * child.cols
    this.countResiduals(child, predictorFor(child, parent))
  }

  result(): PairAnalysis {
    return { ...this.totals, residual: { ...this.totals.residual }, qstore: { ...this.totals.qstore }, boundBits: this.pooledBits(), perTensorBoundBits: this.perTensorBits }
  }

  private countResiduals(child: Child, predict: RowPredictor): void {
    const { rows, cols } = child
    const { table, columnBase, parentCodes } = predict
    const values = new Int32Array(cols)
    const readValues = childRowValues(child)
    this.local.clear()
    for (let r = 0; r < rows; r++) {
      predict.prepare(r)
      readValues(r, values)
      for (let j = 0; j < cols; j++) {
        const entry = table[(columnBase[j] as number) + (parentCodes[r * cols + j] as number)] as number
        const context = entry >>> 16
        const residual = (values[j] as number) - (entry & 0xffff)
        const histogram = (this.pooled[context] ??= new Float64Array(2 * OFFSET))
        histogram[residual + OFFSET]!++
        const key = context * 2 * OFFSET + residual + OFFSET
        this.local.set(key, (this.local.get(key) ?? 0) + 1)
      }
    }
    const contextTotals = new Map<number, number>()
    for (const [key, count] of this.local) {
      const context = Math.floor(key / (2 * OFFSET))
      contextTotals.set(context, (contextTotals.get(context) ?? 0) + count)
    }
    for (const [key, count] of this.local) this.perTensorBits -= count * Math.log2(count / (contextTotals.get(Math.floor(key / (2 * OFFSET))) as number))
  }

  private pooledBits(): number {
    let bits = 0
    for (const histogram of this.pooled) {
      if (!histogram) continue
      let total = 0
      for (const count of histogram) total += count
      for (const count of histogram) if (count > 0) bits -= count * Math.log2(count / total)
    }
    return bits
  }
}

function predictorFor(child: Child, parent: Parent): RowPredictor {
  if (isHalfMatrix(child)) return halfPredictor(child.format, parent)
  if (isInt8Level(parent)) throw new Error('unreachable: checkPair refuses code children of int8 parents')
  return codePredictor(child, parent)
}

function addInto<T extends object>(sum: T, part: T): void {
  for (const key of Object.keys(part) as (keyof T)[]) (sum[key] as number) += part[key] as number
}

import { GptqError } from './errors.js'
import { copyBlock, transpose } from './linalg/blocks.js'
import { matmul } from './linalg/matmul.js'
import { checkMatrix } from './options.js'

/** Column strip width of X^T X: only the lower trapezoid is multiplied (~6% waste at 4096). */
const STRIP = 256

/**
 * Running H = (2/n) sum x x^T of a linear layer's inputs. Instead of the reference's rescale per
 * batch (H *= n/(n+b); H += (2/(n+b)) X^T X) it keeps the plain float32 sum and scales once at
 * the end: the same value, one rounding instead of one per batch. Large batches need
 * `await initTfjsWasm()` first.
 */
export class HessianAccumulator {
  private readonly sum: Float32Array
  private count = 0

  constructor(readonly columns: number) {
    if (!Number.isInteger(columns) || columns < 1) throw new GptqError('shape-mismatch', `columns must be a positive integer, got ${columns}`)
    this.sum = new Float32Array(columns * columns)
  }

  /** Calibration samples seen so far (the n of 2/n). */
  get samples(): number {
    return this.count
  }

  /**
   * Adds `tokens` input rows (row-major [tokens, columns]). `samples` is what they count for in
   * n: the reference counts sequences, not tokens; only the scale of H (and of the reported
   * loss) depends on it, GPTQ's result does not.
   */
  addBatch(inputs: Float32Array, tokens: number, samples = tokens): void {
    checkMatrix(inputs, tokens, this.columns, 'inputs')
    if (!Number.isFinite(samples) || samples <= 0) {
      throw new GptqError('invalid-option', `a batch must count for a positive number of samples, got ${samples}`, { field: 'samples' })
    }
    const n = this.columns
    const inputsT = transpose(inputs, tokens, n)
    for (let c0 = 0; c0 < n; c0 += STRIP) {
      const c1 = Math.min(c0 + STRIP, n)
      const width = c1 - c0
      // Rows c0.. of X^T X, columns [c0, c1): X^T[c0:] (contiguous) times X[:, c0:c1].
      const strip = matmul(inputsT.subarray(c0 * tokens), copyBlock(inputs, n, 0, tokens, c0, c1), n - c0, tokens, width)
      for (let i = 0; i < n - c0; i++) {
        const base = (c0 + i) * n + c0
        for (let j = 0; j < width; j++) this.sum[base + j] = (this.sum[base + j] as number) + (strip[i * width + j] as number)
      }
    }
    this.count += samples
  }

  /** The full symmetric float32 H [columns, columns]. */
  hessian(): Float32Array {
    if (this.count === 0) throw new GptqError('no-calibration-data', 'no calibration inputs were added to the Hessian')
    const n = this.columns
    const factor = 2 / this.count
    const h = new Float32Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const value = (this.sum[i * n + j] as number) * factor
        h[i * n + j] = value
        h[j * n + i] = value
      }
    }
    return h
  }
}

import * as tf from '@tensorflow/tfjs-core'
import { copyBlock, transpose } from './linalg/blocks.js'
import { requireTfjsWasm } from './tfjs.js'

/**
 * GPTQ's pending error feedback T = D V (D = W - Q of the columns done so far, V the upper
 * Hessian factor), one tfjs tensor per lazy batch of columns, stored transposed
 * ([columns, rows]) so every update is an untransposed matmul plus an add that never leaves wasm
 * memory. Only the batch about to be quantized is copied out.
 */
export class CorrectionChunks {
  private readonly chunks: tf.Tensor2D[] = []

  constructor(
    private readonly rows: number,
    private readonly cols: number,
    private readonly width: number,
  ) {
    requireTfjsWasm()
    for (let c0 = 0; c0 < cols; c0 += width) this.chunks.push(tf.zeros([Math.min(width, cols - c0), rows]))
  }

  /** T for columns [c0, c1), column-major [c1 - c0, rows]. */
  read(c0: number, c1: number): Float32Array {
    const out = new Float32Array((c1 - c0) * this.rows)
    for (let k = Math.floor(c0 / this.width); k * this.width < c1; k++) {
      const start = k * this.width
      const from = Math.max(c0, start)
      const to = Math.min(c1, start + this.width)
      const data = (this.chunks[k] as tf.Tensor2D).dataSync() as Float32Array
      out.set(data.subarray((from - start) * this.rows, (to - start) * this.rows), (from - c0) * this.rows)
    }
    return out
  }

  /** Once batch k is quantized: T[:, c] += D_k V[batch k, c] for every later chunk c, then frees chunk k. */
  propagate(k: number, diffsT: Float32Array, v: Float32Array): void {
    const i1 = k * this.width
    const count = Math.min(this.width, this.cols - i1)
    const right = tf.tensor2d(diffsT, [count, this.rows])
    for (let c = k + 1; c < this.chunks.length; c++) {
      const c0 = c * this.width
      const c1 = Math.min(c0 + this.width, this.cols)
      const left = tf.tensor2d(transpose(copyBlock(v, this.cols, i1, i1 + count, c0, c1), count, c1 - c0), [c1 - c0, count])
      const product = tf.matMul(left, right)
      const updated = tf.add(this.chunks[c] as tf.Tensor2D, product) as tf.Tensor2D
      tf.dispose([left, product, this.chunks[c] as tf.Tensor2D])
      this.chunks[c] = updated
    }
    tf.dispose([right, this.chunks[k] as tf.Tensor2D])
  }

  dispose(): void {
    for (const chunk of this.chunks) if (!chunk.isDisposed) chunk.dispose()
  }
}

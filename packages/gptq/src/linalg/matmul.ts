import * as tf from '@tensorflow/tfjs-core'
import { requireTfjsWasm } from '../tfjs.js'

/** Below this many multiply-adds the tfjs call and copies cost more than a plain loop. */
const TFJS_MIN_WORK = 1 << 18

/**
 * C = A B for row-major A [m, k] and B [k, n]. Large products go to the tfjs wasm matmul
 * (XNNPACK, ~20 GFLOP/s); its transposed variants are an order of magnitude slower here, so
 * callers pass both operands already laid out untransposed.
 */
export function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (m * k * n < TFJS_MIN_WORK) return matmulPlain(a, b, m, k, n)
  requireTfjsWasm()
  const ta = tf.tensor2d(a, [m, k])
  const tb = tf.tensor2d(b, [k, n])
  const tc = tf.matMul(ta, tb)
  try {
    return tc.dataSync() as Float32Array
  } finally {
    tf.dispose([ta, tb, tc])
  }
}

function matmulPlain(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n)
  const row = new Float64Array(n)
  for (let i = 0; i < m; i++) {
    row.fill(0)
    for (let p = 0; p < k; p++) {
      const scale = a[i * k + p] as number
      const from = p * n
      for (let j = 0; j < n; j++) row[j] = (row[j] as number) + scale * (b[from + j] as number)
    }
    c.set(row, i * n)
  }
  return c
}

import { tf } from '@qchain/tensor/tfjs'
import type { LinearWeights } from './weights.js'

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight. */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  const meanSquare = tf.mean(tf.square(x), -1, true)
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight)
}

/** y = x W^T (+ b) for rows x of [rows, in] and W of [out, in]. */
export function linear(x: tf.Tensor2D, { weight, bias }: LinearWeights): tf.Tensor2D {
  const y = projectRows(x, weight)
  return bias ? tf.add(y, bias) : y
}

/**
 * x M^T for x of [rows, in] and M of [out, in], computed as (M x^T)^T: the wasm backend sends
 * only untransposed, unbatched products to XNNPACK and is ten times slower with matMul's
 * transpose flags.
 */
export function projectRows(x: tf.Tensor2D, matrix: tf.Tensor2D): tf.Tensor2D {
  return tf.transpose(tf.matMul(matrix, tf.transpose(x))) as tf.Tensor2D
}

export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x))
}

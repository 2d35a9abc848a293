import { tf } from '@qchain/tensor/tfjs'
import type { ModelConfig, RopeScaling } from '../config.js'

/**
 * Rotary inverse frequencies theta^(-2i/headDim), i < headDim/2, remapped by rope_scaling:
 * "linear" divides every frequency by the factor (positions are stretched); "llama3"
 * (Llama 3.1) divides only the low frequencies, keeps the high ones, and interpolates
 * smoothly between the two wavelength thresholds of the original context.
 */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: RopeScaling | undefined): Float64Array {
  const frequencies = new Float64Array(headDim / 2)
  for (let i = 0; i < frequencies.length; i++) {
    const frequency = 1 / theta ** ((2 * i) / headDim)
    frequencies[i] = scaling ? scaleFrequency(frequency, scaling) : frequency
  }
  return frequencies
}

function scaleFrequency(frequency: number, scaling: RopeScaling): number {
  if (scaling.type === 'linear') return frequency / scaling.factor
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: context } = scaling
  const wavelength = (2 * Math.PI) / frequency
  if (wavelength < context / highFreqFactor) return frequency
  if (wavelength > context / lowFreqFactor) return frequency / factor
  const smooth = (context / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
  return (1 - smooth) * (frequency / factor) + smooth * frequency
}

/** cos and sin of position * frequency for `count` positions from `start`, each [count, headDim]. */
export interface RotaryTables {
  cos: tf.Tensor2D
  sin: tf.Tensor2D
}

export function rotaryTables(config: ModelConfig, start: number, count: number): RotaryTables {
  const { headDim } = config
  const frequencies = ropeInverseFrequencies(headDim, config.ropeTheta, config.ropeScaling)
  const half = headDim / 2
  const cos = new Float32Array(count * headDim)
  const sin = new Float32Array(count * headDim)
  for (let row = 0; row < count; row++) {
    for (let i = 0; i < half; i++) {
      const angle = (start + row) * (frequencies[i] as number)
      // rotate_half pairs element i with element i + headDim/2, so both halves share a frequency.
      cos[row * headDim + i] = cos[row * headDim + i + half] = Math.cos(angle)
      sin[row * headDim + i] = sin[row * headDim + i + half] = Math.sin(angle)
    }
  }
  return { cos: tf.tensor2d(cos, [count, headDim]), sin: tf.tensor2d(sin, [count, headDim]) }
}

/** Rotates [..., seq, headDim] queries or keys: x cos + rotate_half(x) sin, rotate_half(x) = [-x2, x1]. */
export function applyRotary(x: tf.Tensor4D, { cos, sin }: RotaryTables): tf.Tensor4D {
  const [first, second] = tf.split(x, 2, -1) as [tf.Tensor4D, tf.Tensor4D]
  const rotated = tf.concat([tf.neg(second), first], -1)
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin))
}

import type { HalfMatrix, Int8Level, QuantLevel } from '@qchain/conditional'
import { quantizeInt8Rowwise, rtnQuantize } from '@qchain/gptq'
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '@qchain/tensor'
import type { Rng } from '../rng.js'

/** Weight-like values: mostly small, a few outliers (which widen int8 rows and GPTQ groups). */
export function randomWeights(rng: Rng, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => rng.normal() * (rng.chance(0.01) ? 0.5 : 0.05))
}

export function halfMatrix(weights: Float32Array, rows: number, cols: number, format: 'f16' | 'bf16'): HalfMatrix {
  return { rows, cols, format, bits: format === 'f16' ? f32ToF16(weights) : f32ToBf16(weights) }
}

/** The float32 values a 16-bit matrix holds, so its parents quantize exactly what it stores. */
export function halfValues(half: HalfMatrix): Float32Array {
  return half.format === 'f16' ? f16ToF32(half.bits) : bf16ToF32(half.bits)
}

export function int8Level(weights: Float32Array, rows: number, cols: number): Int8Level {
  const { weight, scb } = quantizeInt8Rowwise(weights, rows, cols)
  return { rows, cols, weight, scb }
}

/** An RTN level on GPTQ's grid, reduced to the fields a conditional stream and a GPTQ pack read. */
export function quantLevel(weights: Float32Array, rows: number, cols: number, bits: number, groupSize: number, sym: boolean): QuantLevel {
  const { codes, scales, zeros, gIdx } = rtnQuantize(weights, rows, cols, { bits, groupSize, sym })
  return { rows, cols, bits, codes, scales, zeros, gIdx }
}

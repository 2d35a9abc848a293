/** Small seeded matrices and levels for the round-trip and corruption tests. */
import { gptqQuantize, initTfjsWasm, quantizeInt8Rowwise, rtnQuantize, type QuantizedLayer } from '@qchain/gptq'
import { f32BitsToBf16Bits, f32BitsToF16Bits, f16BitsToF32Bits, bf16BitsToF32Bits } from '@qchain/tensor'
import type { HalfFormat, HalfMatrix, Int8Level, QuantLevel } from '../src/index.js'
import { syntheticHessian } from './levels.js'
import { gaussian, seededRandom } from './random.js'

const f32 = new Float32Array(1)
const f32Bits = new Uint32Array(f32.buffer)

/** Gaussian weights (std `scale`) as 16-bit patterns, with their exact float32 values. */
export function randomHalf(rows: number, cols: number, format: HalfFormat, seed: number, scale = 0.05): { child: HalfMatrix; values: Float32Array } {
  const normal = gaussian(seededRandom(seed))
  const bits = new Uint16Array(rows * cols)
  const values = new Float32Array(rows * cols)
  for (let i = 0; i < bits.length; i++) {
    f32[0] = scale * normal()
    bits[i] = format === 'f16' ? f32BitsToF16Bits(f32Bits[0] as number) : f32BitsToBf16Bits(f32Bits[0] as number)
    f32Bits[0] = format === 'f16' ? f16BitsToF32Bits(bits[i] as number) : bf16BitsToF32Bits(bits[i] as number)
    values[i] = f32[0] as number
  }
  return { child: { rows, cols, format, bits }, values }
}

/** 16-bit patterns no parent predicts: signed zeros, subnormals, Inf, NaN payloads, extremes. */
export function specialPatterns(format: HalfFormat): number[] {
  return format === 'f16'
    ? [0x8000, 0x0000, 0x0001, 0x83ff, 0x03ff, 0x7c00, 0xfc00, 0x7c01, 0x7e00, 0xfe55, 0x7fff, 0xffff, 0x7bff, 0xfbff, 0x0400]
    : [0x8000, 0x0000, 0x0001, 0x807f, 0x7f80, 0xff80, 0x7f81, 0x7fc0, 0xffab, 0x7fff, 0xffff, 0x7f7f, 0xff7f, 0x0080]
}

/** Writes the special patterns, a zero row and far-out values into a copy of `child` (the parent keeps the old values). */
export function withSurprises(child: HalfMatrix, seed: number): HalfMatrix {
  const random = seededRandom(seed)
  const bits = Uint16Array.from(child.bits)
  for (const pattern of specialPatterns(child.format)) bits[Math.floor(random() * bits.length)] = pattern
  for (let k = 0; k < bits.length / 50; k++) bits[Math.floor(random() * bits.length)] = Math.floor(random() * 65536)
  return { ...child, bits }
}

/** A matrix with every value of its last row 0 (+0 and -0 mixed): an SCB of 0 or a minimal scale. */
export function withZeroRow(child: HalfMatrix): { child: HalfMatrix; values: Float32Array } {
  const bits = Uint16Array.from(child.bits)
  const start = (child.rows - 1) * child.cols
  for (let j = 0; j < child.cols; j++) bits[start + j] = j % 3 === 0 ? 0x8000 : 0
  return { child: { ...child, bits }, values: halfValues(bits, child.format) }
}

export function halfValues(bits: Uint16Array, format: HalfFormat): Float32Array {
  const values = new Float32Array(bits.length)
  for (let i = 0; i < bits.length; i++) {
    f32Bits[0] = format === 'f16' ? f16BitsToF32Bits(bits[i] as number) : bf16BitsToF32Bits(bits[i] as number)
    values[i] = f32[0] as number
  }
  return values
}

export function int8Of(values: Float32Array, rows: number, cols: number): Int8Level {
  return quantizeInt8Rowwise(values, rows, cols)
}

export interface LevelSpec {
  bits: 2 | 3 | 4 | 8
  groupSize: number
  sym: boolean
  actOrder?: boolean
}

/** RTN, or GPTQ with act-order when asked (act-order scatters g_idx). */
export async function levelOf(values: Float32Array, rows: number, cols: number, spec: LevelSpec, seed = 3): Promise<QuantizedLayer> {
  if (!spec.actOrder) return rtnQuantize(values, rows, cols, spec)
  await initTfjsWasm()
  return gptqQuantize(values, rows, cols, syntheticHessian(cols, seed), spec)
}

/** A copy of a level with some scales and zero points no quantizer writes: 0, NaN, Inf, out-of-range zeros. */
export function withOddGrid(level: QuantLevel): QuantLevel {
  const scales = Uint16Array.from(level.scales)
  const zeros = Uint16Array.from(level.zeros)
  scales[0] = 0
  if (scales.length > 1) scales[1] = 0x7e00
  if (scales.length > 2) scales[2] = 0xfc00
  if (scales.length > 3) scales[3] = 0x8001
  zeros[0] = 65535
  return { ...level, scales, zeros }
}

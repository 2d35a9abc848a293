import { f16BitsToF32Bits, f32BitsToF16Bits } from '@qchain/tensor'
import { GptqError } from './errors.js'
import { roundHalfEven } from './round.js'

export type QuantBits = 2 | 3 | 4 | 8

export const QUANT_BITS: readonly QuantBits[] = [2, 3, 4, 8]

export interface GridSpec {
  bits: QuantBits
  /** Symmetric grid: the zero point is fixed at 2^(bits-1). */
  sym: boolean
}

/** One row of one group: code q stands for scale * (q - zero). */
export interface GridParams {
  /** The fp16 bit pattern stored in the checkpoint. */
  scaleBits: number
  /** Exactly the value of `scaleBits`; quantization uses this, so the checkpoint reproduces it. */
  scale: number
  zero: number
}

export function maxCode(bits: QuantBits): number {
  return (1 << bits) - 1
}

const f32 = new Float32Array(1)
const f32Bits = new Uint32Array(f32.buffer)

/**
 * Grid for values in [min, max], as the GPTQ reference's Quantizer.find_params: the range always
 * contains 0, an empty range becomes [-1, 1], symmetric grids mirror the larger side (a
 * nonnegative range keeps xmin = 0, the reference's quirk) and put the zero point in the middle.
 * The float32 scale is then rounded to fp16, and the asymmetric zero point is derived from that
 * rounded scale.
 */
export function gridParams(min: number, max: number, spec: GridSpec): GridParams {
  const maxq = maxCode(spec.bits)
  let xmin = Math.min(min, 0)
  let xmax = Math.max(max, 0)
  if (spec.sym) {
    xmax = Math.max(-xmin, xmax)
    if (xmin < 0) xmin = -xmax
  }
  if (xmin === 0 && xmax === 0) {
    xmin = -1
    xmax = 1
  }
  f32[0] = (xmax - xmin) / maxq
  let scaleBits = f32BitsToF16Bits(f32Bits[0] as number)
  if (scaleBits === 0x7c00) throw new GptqError('scale-out-of-range', `a group spans [${xmin}, ${xmax}], too wide for an fp16 scale`)
  // A range below fp16's resolution gets the smallest fp16 step instead of a zero scale.
  if (scaleBits === 0) scaleBits = 1
  f32Bits[0] = f16BitsToF32Bits(scaleBits)
  const scale = f32[0] as number
  const zero = spec.sym ? (maxq + 1) / 2 : Math.min(maxq, Math.max(0, roundHalfEven(-xmin / scale)))
  return { scaleBits, scale, zero }
}

/** clamp(round(w / scale) + zero, 0, maxq), ties to even like torch.round. */
export function quantizeCode(w: number, scale: number, zero: number, maxq: number): number {
  const q = roundHalfEven(w / scale) + zero
  return q < 0 ? 0 : q > maxq ? maxq : q
}

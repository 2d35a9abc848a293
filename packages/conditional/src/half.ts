// fp16 / bf16 bit patterns: rounding a float32 value to them, and an order-preserving map to
// integers so a residual "in ulps" is a plain integer difference. Bit-level, so -0, subnormals,
// Inf and NaN payloads are ordinary patterns here.

/** The 16-bit float format of a child tensor. */
export type HalfFormat = 'f16' | 'bf16'

const f32 = new Float32Array(1)
const f32Bits = new Uint32Array(f32.buffer)

/** `value` (a float32 value) rounded to nearest-even fp16 bits; overflow gives Inf. NaN is never passed here. */
export function f32ToF16Bits(value: number): number {
  f32[0] = value
  const bits = f32Bits[0] as number
  const sign = (bits >>> 16) & 0x8000
  const exponent = ((bits >>> 23) & 0xff) - 112
  const mantissa = bits & 0x7fffff
  if (exponent >= 0x1f) return sign | 0x7c00
  if (exponent <= 0) {
    if (exponent < -10) return sign
    return sign | roundShift(mantissa | 0x800000, 14 - exponent)
  }
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return sign | ((exponent << 10) + roundShift(mantissa, 13))
}

/** `value` (a float32 value, not NaN) rounded to nearest-even bf16 bits. */
export function f32ToBf16Bits(value: number): number {
  f32[0] = value
  const bits = f32Bits[0] as number
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff
}

/** value >> shift, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift
  const rest = value & ((1 << shift) - 1)
  const half = 1 << (shift - 1)
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept
}

/**
 * Order-preserving bijection of 16-bit float patterns onto 0..65535: negatives (sign set) are
 * reversed below 0x8000, so -NaN < -Inf < ... < -0 < +0 < ... < +Inf < +NaN.
 */
export function toOrdered(bits: number): number {
  return bits & 0x8000 ? bits ^ 0xffff : bits ^ 0x8000
}

export function fromOrdered(ordered: number): number {
  return ordered & 0x8000 ? ordered ^ 0x8000 : ordered ^ 0xffff
}

/** 2^(e - 25) for the fp16 exponent fields e: the weight of a normal value's integer significand. */
const SIGNIFICAND_WEIGHTS = new Float64Array(32)
for (let e = 0; e < 32; e++) SIGNIFICAND_WEIGHTS[e] = 2 ** (e - 25)

/** The value of fp16 bits as a number (exact); NaN patterns give NaN. */
export function f16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >>> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity
  if (exponent === 0) return sign * mantissa * 2 ** -24
  return sign * (1024 + mantissa) * (SIGNIFICAND_WEIGHTS[exponent] as number)
}

/** The values of fp16 bit patterns (f16BitsToNumber of each). */
export function f16Values(bits: Uint16Array): Float64Array {
  const values = new Float64Array(bits.length)
  for (let i = 0; i < bits.length; i++) values[i] = f16BitsToNumber(bits[i] as number)
  return values
}

// Bit-level conversions between IEEE half (fp16), bfloat16 and float32. They work on bit
// patterns, never on JS numbers, so NaN payloads, -0 and subnormals survive exactly.

/** fp16 bits to float32 bits: exact for every one of the 65,536 patterns. */
export function f16BitsToF32Bits(half: number): number {
  const sign = (half & 0x8000) << 16
  const exponent = (half >>> 10) & 0x1f
  let mantissa = half & 0x3ff
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0
  if (mantissa === 0) return sign >>> 0
  // Subnormal: shift the leading one up to the implicit bit, lowering the exponent.
  let biased = 113
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1
    biased--
  }
  return (sign | (biased << 23) | ((mantissa & 0x3ff) << 13)) >>> 0
}

/** float32 bits to fp16 bits, rounding to nearest even; overflow gives Inf, NaN stays NaN. */
export function f32BitsToF16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000
  const exponent = (bits >>> 23) & 0xff
  const mantissa = bits & 0x7fffff
  if (exponent === 0xff) {
    if (mantissa === 0) return sign | 0x7c00
    const payload = mantissa >>> 13
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload)
  }
  const halfExponent = exponent - 112
  if (halfExponent >= 0x1f) return sign | 0x7c00
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign
    const full = mantissa | 0x800000
    const shift = 14 - halfExponent
    return sign | roundShift(full, shift)
  }
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return sign | ((halfExponent << 10) + roundShift(mantissa, 13))
}

/** value >> shift, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift
  const rest = value & ((1 << shift) - 1)
  const half = 1 << (shift - 1)
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept
}

/** bf16 bits to float32 bits: bf16 is the top half of a float32. */
export function bf16BitsToF32Bits(bf16: number): number {
  return (bf16 << 16) >>> 0
}

/** float32 bits to bf16 bits, rounding to nearest even; a NaN keeps its top payload bits and stays NaN. */
export function f32BitsToBf16Bits(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) {
    const top = bits >>> 16
    return (top & 0x7f) === 0 ? top | 0x40 : top
  }
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff
}

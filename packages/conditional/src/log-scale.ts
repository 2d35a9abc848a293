import { f16BitsToNumber } from './half.js'

/**
 * floor(4 * log2(x)) for a positive value, from its float32 bits and exact integer mantissa
 * thresholds: Math.log2 is not correctly rounded in every engine, and encoder and decoder
 * must agree on every context. 0 and negatives give -Infinity-like LOG_MIN, Inf/NaN LOG_MAX.
 */
const LOG_MIN = -1024
const LOG_MAX = 1024

/** ceil((2^(i/4) - 1) * 2^23) for i = 1, 2, 3: mantissas at or above reach the next quarter octave. */
const QUARTER_1 = 1587185
const QUARTER_2 = 3474676
const QUARTER_3 = 5719293

const f32 = new Float32Array(1)
const f32Bits = new Uint32Array(f32.buffer)

export function quarterLog2(x: number): number {
  if (!(x > 0)) return x !== x ? LOG_MAX : LOG_MIN
  f32[0] = x
  let bits = f32Bits[0] as number
  let exponent = (bits >>> 23) & 0xff
  if (exponent === 0xff) return LOG_MAX
  let bias = 127
  if (exponent === 0) {
    // Subnormal (or rounded to 0): scale up by 2^64, exactly.
    f32[0] = x * 2 ** 64
    bits = f32Bits[0] as number
    exponent = (bits >>> 23) & 0xff
    if (exponent === 0) return LOG_MIN
    bias += 64
  }
  const mantissa = bits & 0x7fffff
  const quarter = mantissa >= QUARTER_2 ? (mantissa >= QUARTER_3 ? 3 : 2) : mantissa >= QUARTER_1 ? 1 : 0
  return 4 * (exponent - bias) + quarter
}

/** quarterLog2 of each fp16 magnitude pattern (0..0x7fff), built on first use. */
let f16Logs: Int16Array | undefined

/** quarterLog2(|value|) of fp16 bits, by table: GPTQ scales are fp16, and a tensor has one per group and row. */
export function f16QuarterLog2(bits: number): number {
  if (!f16Logs) {
    f16Logs = new Int16Array(0x8000)
    for (let magnitude = 0; magnitude < 0x8000; magnitude++) f16Logs[magnitude] = quarterLog2(f16BitsToNumber(magnitude))
  }
  return f16Logs[bits & 0x7fff] as number
}

import { roundHalfEven } from './round.js'

export interface Int8RowwiseLevel {
  /** int8 codes, row-major [rows, cols]. */
  weight: Int8Array
  /** Per-row absmax (bitsandbytes' SCB): w ~ q * SCB / 127. */
  scb: Float32Array
  rows: number
  cols: number
}

/**
 * LLM.int8 rowwise quantization as bitsandbytes stores it: each output row is scaled by its
 * absolute maximum to [-127, 127]. Arithmetic is float32 (Math.fround) like the GPU kernel.
 */
export function quantizeInt8Rowwise(values: Float32Array, rows: number, cols: number): Int8RowwiseLevel {
  if (values.length !== rows * cols) throw new RangeError(`expected ${rows * cols} values, got ${values.length}`)
  const weight = new Int8Array(values.length)
  const scb = new Float32Array(rows)
  for (let row = 0; row < rows; row++) {
    const start = row * cols
    let absmax = 0
    for (let i = start; i < start + cols; i++) {
      const magnitude = Math.abs(values[i] as number)
      if (magnitude > absmax) absmax = magnitude
    }
    scb[row] = absmax
    if (absmax === 0 || !Number.isFinite(absmax)) continue
    const factor = Math.fround(127 / absmax)
    for (let i = start; i < start + cols; i++) {
      weight[i] = Math.max(-127, Math.min(127, roundHalfEven(Math.fround((values[i] as number) * factor))))
    }
  }
  return { weight, scb, rows, cols }
}

export function dequantizeInt8Rowwise(level: Int8RowwiseLevel): Float32Array {
  const out = new Float32Array(level.weight.length)
  for (let row = 0; row < level.rows; row++) {
    const step = Math.fround((level.scb[row] as number) / 127)
    for (let i = row * level.cols; i < (row + 1) * level.cols; i++) out[i] = Math.fround((level.weight[i] as number) * step)
  }
  return out
}

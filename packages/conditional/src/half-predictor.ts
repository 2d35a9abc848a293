import { contextOf } from './context.js'
import { f16BitsToNumber, f32ToBf16Bits, f32ToF16Bits, toOrdered, type HalfFormat } from './half.js'
import { quarterLog2 } from './log-scale.js'
import { isInt8Level, type Int8Level, type Parent, type QuantLevel } from './types.js'

/**
 * Predictions row by row, as lookups: after prepare(row), element (row, j) has the entry
 * table[columnBase[j] + parentCodes[row * cols + j]], an entry being the packed prediction
 * (predicted child integer) | (context id and low-bit count, see contextOf) << 16.
 */
export interface RowPredictor {
  prepare(row: number): void
  readonly table: Int32Array
  readonly columnBase: Int32Array
  readonly parentCodes: Uint8Array
}

const ORDERED_ZERO = 0x8000

/**
 * The entry for a parent value `value` (float32) whose bin is `step` wide: the value rounded
 * to the child's format, and the bin's width in child ulps at that magnitude. A prediction of
 * +-0 belongs to the zero family, whose width `zeroLambda` is measured from 0 to step / 2.
 */
function halfEntry(value: number, stepLambda: number, zeroLambda: number, format: HalfFormat): number {
  const bits = format === 'f16' ? f32ToF16Bits(value) : f32ToBf16Bits(value)
  if ((bits & 0x7fff) === 0) return toOrdered(bits) | (contextOf(zeroLambda, true) << 16)
  const field = format === 'f16' ? (bits >>> 10) & 0x1f : (bits >>> 7) & 0xff
  // The ulp of the prediction is 2^ulpExponent (subnormals share the smallest normal's ulp).
  const ulpExponent = format === 'f16' ? Math.max(field, 1) - 25 : Math.max(field, 1) - 134
  return toOrdered(bits) | (contextOf(stepLambda - 4 * ulpExponent, false) << 16)
}

/** Quarter-log widths of a bin of `step`: at a nonzero prediction (before the ulp) and at zero. */
function stepLambdas(step: number, format: HalfFormat): { stepLambda: number; zeroLambda: number } {
  const magnitude = Math.abs(step)
  const half = format === 'f16' ? f32ToF16Bits(magnitude / 2) : f32ToBf16Bits(magnitude / 2)
  return { stepLambda: quarterLog2(magnitude), zeroLambda: quarterLog2(toOrdered(half) - ORDERED_ZERO) }
}

export function halfPredictor(format: HalfFormat, parent: Parent): RowPredictor {
  return isInt8Level(parent) ? int8Predictor(format, parent) : quantPredictor(format, parent)
}

/** LLM.int8 rowwise: value = fround(q * fround(SCB / 127)), one 256-entry table per row. */
function int8Predictor(format: HalfFormat, parent: Int8Level): RowPredictor {
  const table = new Int32Array(256)
  const parentCodes = new Uint8Array(parent.weight.buffer, parent.weight.byteOffset, parent.weight.length)
  const prepare = (row: number): void => {
    const step = Math.fround((parent.scb[row] as number) / 127)
    const { stepLambda, zeroLambda } = stepLambdas(step, format)
    for (let q = 0; q < 256; q++) table[q] = halfEntry(Math.fround(((q << 24) >> 24) * step), stepLambda, zeroLambda, format)
  }
  return { prepare, table, columnBase: new Int32Array(parent.cols), parentCodes }
}

/** GPTQ: value = scale * (q - zero) per (group, row); one table of 2^bits entries per group of the row. */
function quantPredictor(format: HalfFormat, parent: QuantLevel): RowPredictor {
  const { rows, bits, gIdx } = parent
  const groups = parent.scales.length / rows
  const codeCount = 1 << bits
  const table = new Int32Array(groups * codeCount)
  const prepare = (row: number): void => {
    for (let g = 0; g < groups; g++) {
      const scale = f16BitsToNumber(parent.scales[g * rows + row] as number)
      const zero = parent.zeros[g * rows + row] as number
      const { stepLambda, zeroLambda } = stepLambdas(scale, format)
      for (let q = 0; q < codeCount; q++) table[g * codeCount + q] = halfEntry(Math.fround(scale * (q - zero)), stepLambda, zeroLambda, format)
    }
  }
  return { prepare, table, columnBase: Int32Array.from(gIdx, (group) => group * codeCount), parentCodes: parent.codes }
}

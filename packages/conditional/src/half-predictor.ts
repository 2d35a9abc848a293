import type { CodeRowSource } from './code-predictor.js'
import { CONTEXT_MASK, contextOf } from './context.js'
import { f16BitsToNumber, f32ToBf16Bits, f32ToF16Bits, toOrdered, type HalfFormat } from './half.js'
import { EntryStamps } from './entry-stamps.js'
import { quarterLog2 } from './log-scale.js'
import { isInt8Level, type Int8Level, type Parent, type QuantLevel } from './types.js'

/**
 * How a row's table is indexed and what the kernels read and write: by the parent code (one
 * group, 16-bit child), by group and parent code ('both', GPTQ parent, 16-bit child), or by
 * group pair and parent code ('codes', GPTQ parent, GPTQ child codes).
 */
export type TableIndexing = 'parent' | 'both' | 'codes'

/**
 * Predictions row by row, as lookups: after prepare(row), element (row, j) has the entry
 * table[columnBase[j] + parentCodes[row * cols + j]], an entry being the packed prediction
 * (predicted child integer) | (context id and low-bit count, see contextOf) << 16. Only the
 * entries of (group, code) pairs that occur in the row are guaranteed to be written.
 */
export interface RowPredictor {
  prepare(row: number): void
  readonly table: Int32Array
  readonly columnBase: Int32Array
  readonly parentCodes: Uint8Array
  /** The matrix row parentCodes starts at: 0, or a band's first row (see RowBand). */
  readonly firstRow: number
  /** Which of columnBase and parentCodes vary (the decode kernel skips the other). */
  readonly indexing: TableIndexing
  /** When set, entries carry contextMap[context id] instead of the id (the decoder's table numbers). */
  contextMap: Uint8Array | null
  /** GPTQ and LLM.int8 parents of 16-bit children: what the entries kernel needs to compute rows itself. */
  readonly quant?: QuantRowSource
  /** GPTQ children: what the code entries kernel needs to compute rows itself. */
  readonly code?: CodeRowSource
}

/** A GPTQ or LLM.int8 parent's per-group row parameters, for quant-entries-code.ts's kernel (the same entries as prepare). */
export interface QuantRowSource {
  readonly format: HalfFormat
  /** LLM.int8: codes are two's complement bytes, one group with zero point 0. */
  readonly signed: boolean
  readonly groups: number
  /** The parent's code width: entry group * 2^bits + q is (group, q)'s. */
  readonly bits: number
  /** Writes the row's scale (float32), zero point and (stepLambda, zeroLambda) of every group. */
  rowGroups(row: number, scales: Float32Array, zeros: Int32Array, lambdas: Int32Array): void
}

/** The entry with its context id replaced by the map's value (unchanged without a map). */
export function mapContext(entry: number, map: Uint8Array | null): number {
  return map ? (entry & ~(CONTEXT_MASK << 16)) | ((map[(entry >>> 16) & CONTEXT_MASK] as number) << 16) : entry
}

const ORDERED_ZERO = 0x8000

/**
 * The entry for a parent value `value` (float32) whose bin is `step` wide: the value rounded
 * to the child's format, and the bin's width in child ulps at that magnitude. A prediction of
 * +-0 belongs to the zero family, whose width `zeroLambda` is measured from 0 to step / 2.
 */
export function halfEntry(value: number, stepLambda: number, zeroLambda: number, format: HalfFormat): number {
  // A NaN value (NaN or infinite scales) predicts +Inf, whatever the NaN's sign bit.
  const finiteOrInf = value === value ? value : Infinity
  const bits = format === 'f16' ? f32ToF16Bits(finiteOrInf) : f32ToBf16Bits(finiteOrInf)
  if ((bits & 0x7fff) === 0) return toOrdered(bits) | (contextOf(zeroLambda, true) << 16)
  const field = format === 'f16' ? (bits >>> 10) & 0x1f : (bits >>> 7) & 0xff
  // The ulp of the prediction is 2^ulpExponent (subnormals share the smallest normal's ulp).
  const ulpExponent = format === 'f16' ? Math.max(field, 1) - 25 : Math.max(field, 1) - 134
  return toOrdered(bits) | (contextOf(stepLambda - 4 * ulpExponent, false) << 16)
}

/** Quarter-log widths of a bin of `step`: at a nonzero prediction (before the ulp) and at zero. */
export function stepLambdas(step: number, format: HalfFormat): { stepLambda: number; zeroLambda: number } {
  const magnitude = Math.abs(step)
  const half = format === 'f16' ? f32ToF16Bits(magnitude / 2) : f32ToBf16Bits(magnitude / 2)
  return { stepLambda: quarterLog2(magnitude), zeroLambda: quarterLog2(toOrdered(half) - ORDERED_ZERO) }
}

/** `firstRow`: the row the parent's codes start at (a band's first, see RowBand). */
export function halfPredictor(format: HalfFormat, parent: Parent, firstRow = 0): RowPredictor {
  return isInt8Level(parent) ? int8Predictor(format, parent, firstRow) : quantPredictor(format, parent, firstRow)
}

/** LLM.int8 rowwise: value = fround(q * fround(SCB / 127)), one 256-entry table per row. */
function int8Predictor(format: HalfFormat, parent: Int8Level, firstRow: number): RowPredictor {
  const table = new Int32Array(256)
  const parentCodes = new Uint8Array(parent.weight.buffer, parent.weight.byteOffset, parent.weight.length)
  const rowStep = (row: number) => Math.fround((parent.scb[row] as number) / 127)
  const prepare = (row: number): void => {
    const step = rowStep(row)
    const { stepLambda, zeroLambda } = stepLambdas(step, format)
    const entry = (q: number) => mapContext(halfEntry(Math.fround(((q << 24) >> 24) * step), stepLambda, zeroLambda, format), predictor.contextMap)
    if (!Number.isFinite(step)) {
      for (let q = 0; q < 256; q++) table[q] = entry(q)
      return
    }
    table[0] = entry(0)
    table[128] = entry(128)
    // fround(-x) = -fround(x) and both formats round the magnitude alone, so code -q predicts
    // the mirrored pattern (ordered 0xffff - v) in the same context: half the work per row.
    for (let q = 1; q < 128; q++) {
      const positive = entry(q)
      table[q] = positive
      table[256 - q] = (positive & ~0xffff) | (0xffff - (positive & 0xffff))
    }
  }
  const rowGroups = (row: number, scales: Float32Array, zeros: Int32Array, lambdas: Int32Array): void => {
    const step = rowStep(row)
    const { stepLambda, zeroLambda } = stepLambdas(step, format)
    scales[0] = step
    zeros[0] = 0
    lambdas[0] = stepLambda
    lambdas[1] = zeroLambda
  }
  const quant: QuantRowSource = { format, signed: true, groups: 1, bits: 8, rowGroups }
  const predictor: RowPredictor = { prepare, table, columnBase: new Int32Array(parent.cols), parentCodes, firstRow, indexing: 'parent', contextMap: null, quant }
  return predictor
}

/**
 * GPTQ: value = scale * (q - zero) per (group, row); a table of 2^bits entries per group of the
 * row, of which only the codes the row uses are computed (a group of 128 columns uses far
 * fewer than 256 codes, and a short row fewer than its groups' tables hold).
 */
function quantPredictor(format: HalfFormat, parent: QuantLevel, firstRow: number): RowPredictor {
  const { rows, cols, bits, gIdx, codes } = parent
  const groups = parent.scales.length / rows
  const codeCount = 1 << bits
  const table = new Int32Array(groups * codeCount)
  const stamps = new EntryStamps(table.length)
  const scales = new Float64Array(groups)
  const zeros = new Int32Array(groups)
  const lambdas = new Int32Array(2 * groups)
  const columnBase = gIdx.map((group) => group * codeCount)
  const rowGroups = (row: number, rowScales: Float32Array | Float64Array, rowZeros: Int32Array, rowLambdas: Int32Array): void => {
    for (let g = 0; g < groups; g++) {
      const scale = f16BitsToNumber(parent.scales[g * rows + row] as number)
      rowScales[g] = scale
      rowZeros[g] = parent.zeros[g * rows + row] as number
      const { stepLambda, zeroLambda } = stepLambdas(scale, format)
      rowLambdas[2 * g] = stepLambda
      rowLambdas[2 * g + 1] = zeroLambda
    }
  }
  const prepare = (row: number): void => {
    rowGroups(row, scales, zeros, lambdas)
    stamps.forRow(row - firstRow, cols, codes, columnBase, (j, q, at) => {
      const g = gIdx[j] as number
      const entry = halfEntry(Math.fround((scales[g] as number) * (q - (zeros[g] as number))), lambdas[2 * g] as number, lambdas[2 * g + 1] as number, format)
      table[at] = mapContext(entry, predictor.contextMap)
    })
  }
  const quant: QuantRowSource = { format, signed: false, groups, bits, rowGroups }
  const predictor: RowPredictor = { prepare, table, columnBase, parentCodes: codes, firstRow, indexing: 'both', contextMap: null, quant }
  return predictor
}

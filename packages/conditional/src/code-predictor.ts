import { contextOf } from './context.js'
import { f16BitsToNumber } from './half.js'
import { quarterLog2 } from './log-scale.js'
import { mapContext, type RowPredictor } from './half-predictor.js'
import type { QuantLevel } from './types.js'

/** The parts of a GPTQ child level that are known before its codes: grid and groups. */
export interface QuantGrid {
  bits: number
  scales: Uint16Array
  zeros: Uint16Array
  gIdx: Int32Array
}

/**
 * A finer GPTQ level given a coarser one of the same weights: the parent's value
 * s_p * (q_p - z_p) expressed on the child's grid, round(value / s_c + z_c) clamped to the
 * child's codes. The bin width in child steps is s_p / s_c.
 */
export function codePredictor(child: QuantGrid, parent: QuantLevel): RowPredictor {
  const { rows, cols } = parent
  const maxCode = (1 << child.bits) - 1
  const parentScales = Float64Array.from(parent.scales, f16BitsToNumber)
  const childScales = Float64Array.from(child.scales, f16BitsToNumber)
  const parentLambdas = Int32Array.from(parentScales, (s) => quarterLog2(Math.abs(s)))
  const childLambdas = Int32Array.from(childScales, (s) => quarterLog2(Math.abs(s)))
  // Entries are computed per element into the row's table; columnBase[j] = j, no parent code offset.
  const table = new Int32Array(cols)
  const prepare = (row: number): void => {
    const base = row * cols
    for (let j = 0; j < cols; j++) {
      const p = (parent.gIdx[j] as number) * rows + row
      const c = (child.gIdx[j] as number) * rows + row
      const value = (parentScales[p] as number) * ((parent.codes[base + j] as number) - (parent.zeros[p] as number))
      const position = value / (childScales[c] as number) + (child.zeros[c] as number)
      // NaN (a zero or non-finite scale) predicts code 0; only the residual's size depends on it.
      const predicted = position >= 0 ? (position <= maxCode ? Math.round(position) : maxCode) : 0
      const lambda = (parentLambdas[p] as number) - (childLambdas[c] as number)
      table[j] = mapContext(predicted | (contextOf(lambda, false) << 16), predictor.contextMap)
    }
  }
  const predictor: RowPredictor = { prepare, table, columnBase: Int32Array.from({ length: cols }, (_, j) => j), parentCodes: new Uint8Array(rows * cols), indexing: 'column', contextMap: null }
  return predictor
}

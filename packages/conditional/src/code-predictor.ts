import { PAIR_RECORD_BYTES } from './code-entries-code.js'
import { contextOf } from './context.js'
import { f16Values } from './half.js'
import { f16QuarterLog2 } from './log-scale.js'
import { mapContext, type RowPredictor } from './half-predictor.js'
import type { QuantLevel } from './types.js'
import { EntryStamps } from './entry-stamps.js'

/** The parts of a GPTQ child level that are known before its codes: grid and groups. */
export interface QuantGrid {
  bits: number
  scales: Uint16Array
  zeros: Uint16Array
  gIdx: Int32Array
}

/** A GPTQ child's per-pair row parameters, for code-entries-code.ts's kernel (the same entries as prepare). */
export interface CodeRowSource {
  /** Distinct (parent group, child group) pairs of the columns. */
  readonly pairs: number
  readonly parentBits: number
  readonly maxCode: number
  /** Writes the row's pair records (PAIR_RECORD_BYTES each): as f64s at 4k, 4k+1 the scales, as i32s at 8k+4.. the zeros and context bits. */
  rowPairs(row: number, scales: Float64Array, words: Int32Array, map: Uint8Array | null): void
}

const WORDS_PER_PAIR = PAIR_RECORD_BYTES / 4

/**
 * A finer GPTQ level given a coarser one of the same weights: the parent's value
 * s_p * (q_p - z_p) expressed on the child's grid, round(value / s_c + z_c) clamped to the
 * child's codes. The bin width in child steps is s_p / s_c. Within a row an entry depends on
 * the parent code and the column's (parent group, child group) pair only, so the table holds
 * 2^parentBits entries per pair, of which only the codes the row uses are computed.
 */
export function codePredictor(child: QuantGrid, parent: QuantLevel, firstRow = 0): RowPredictor {
  const { rows, cols, codes } = parent
  const maxCode = (1 << child.bits) - 1
  const parentScales = f16Values(parent.scales)
  const childScales = f16Values(child.scales)
  const parentLambdas = quarterLogs(parent.scales)
  const childLambdas = quarterLogs(child.scales)
  const { pairOf, parentGroup, childGroup } = columnPairs(parent.gIdx, child.gIdx)
  const pairs = parentGroup.length
  const columnBase = pairOf.map((pair) => pair << parent.bits)
  const table = new Int32Array(pairs << parent.bits)
  const stamps = new EntryStamps(table.length)
  const records = new ArrayBuffer(pairs * PAIR_RECORD_BYTES)
  const scales = new Float64Array(records)
  const words = new Int32Array(records)
  const rowPairs = (row: number, rowScales: Float64Array, rowWords: Int32Array, map: Uint8Array | null): void => {
    for (let k = 0; k < pairs; k++) {
      const p = (parentGroup[k] as number) * rows + row
      const c = (childGroup[k] as number) * rows + row
      rowScales[4 * k] = parentScales[p] as number
      rowScales[4 * k + 1] = childScales[c] as number
      rowWords[WORDS_PER_PAIR * k + 4] = parent.zeros[p] as number
      rowWords[WORDS_PER_PAIR * k + 5] = child.zeros[c] as number
      rowWords[WORDS_PER_PAIR * k + 6] = mapContext(contextOf((parentLambdas[p] as number) - (childLambdas[c] as number), false) << 16, map)
    }
  }
  const prepare = (row: number): void => {
    rowPairs(row, scales, words, predictor.contextMap)
    stamps.forRow(row - firstRow, cols, codes, columnBase, (_, q, at) => {
      const k = at >>> parent.bits
      const position = ((scales[4 * k] as number) * (q - (words[WORDS_PER_PAIR * k + 4] as number))) / (scales[4 * k + 1] as number) + (words[WORDS_PER_PAIR * k + 5] as number)
      // NaN (a zero or non-finite scale) predicts code 0; only the residual's size depends on it.
      const predicted = position >= 0 ? (position <= maxCode ? Math.round(position) : maxCode) : 0
      table[at] = predicted | (words[WORDS_PER_PAIR * k + 6] as number)
    })
  }
  const code: CodeRowSource = { pairs, parentBits: parent.bits, maxCode, rowPairs }
  const predictor: RowPredictor = { prepare, table, columnBase, parentCodes: codes, firstRow, indexing: 'codes', contextMap: null, code }
  return predictor
}

/** Numbers the distinct (parent group, child group) pairs of the columns in order of first use. */
function columnPairs(parentGIdx: Int32Array, childGIdx: Int32Array): { pairOf: Int32Array; parentGroup: Int32Array; childGroup: Int32Array } {
  const pairOf = new Int32Array(parentGIdx.length)
  const parentGroup: number[] = []
  const childGroup: number[] = []
  const ids = new Map<number, Map<number, number>>()
  for (let j = 0; j < parentGIdx.length; j++) {
    const p = parentGIdx[j] as number
    const c = childGIdx[j] as number
    // Groups come in runs of columns: look up only where the pair changes.
    if (j > 0 && p === parentGIdx[j - 1] && c === childGIdx[j - 1]) {
      pairOf[j] = pairOf[j - 1] as number
      continue
    }
    let byChild = ids.get(p)
    if (!byChild) ids.set(p, (byChild = new Map()))
    let id = byChild.get(c)
    if (id === undefined) {
      id = parentGroup.length
      byChild.set(c, id)
      parentGroup.push(p)
      childGroup.push(c)
    }
    pairOf[j] = id
  }
  return { pairOf, parentGroup: Int32Array.from(parentGroup), childGroup: Int32Array.from(childGroup) }
}

function quarterLogs(scales: Uint16Array): Int32Array {
  const lambdas = new Int32Array(scales.length)
  for (let i = 0; i < scales.length; i++) lambdas[i] = f16QuarterLog2(scales[i] as number)
  return lambdas
}

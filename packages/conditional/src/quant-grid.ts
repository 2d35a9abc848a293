import { MAX_BLOCK_SIZE, type ByteWriter } from '@qchain/huffman'
import type { QuantGrid } from './code-predictor.js'
import { ConditionalError } from './errors.js'
import { f16BitsToNumber, f32ToF16Bits, fromOrdered, toOrdered } from './half.js'
import type { Reader } from './reader.js'
import { readSmallInts, writeSmallInts } from './small-ints.js'
import { readBlocks, writeBlocks } from './symbol-blocks.js'
import type { QuantLevel } from './types.js'

const GroupMode = { SameAsParent: 0, Standard: 1, Explicit: 2 } as const
const MAX_EXPLICIT_GROUPS = 65536

/**
 * The child level's grid given the parent's (the side info of a code child):
 * groups; g_idx (a flag when it equals the parent's or the standard i // groupSize, else
 * listed); scales and zero points as residuals from what the parent predicts for them.
 */
export function writeQuantGrid(child: QuantLevel, parent: QuantLevel, out: ByteWriter): void {
  const groups = child.scales.length / child.rows
  out.varint(groups)
  const standard = standardGroupSize(child.gIdx, groups)
  if (sameArray(child.gIdx, parent.gIdx)) {
    out.byte(GroupMode.SameAsParent)
  } else if (standard > 0) {
    out.byte(GroupMode.Standard)
    out.varint(standard)
  } else {
    if (groups > MAX_EXPLICIT_GROUPS) throw new ConditionalError('bad-child', `${groups} groups with a custom g_idx exceed ${MAX_EXPLICIT_GROUPS}`, { field: 'g_idx' })
    out.byte(GroupMode.Explicit)
    writeBlocks(Uint16Array.from(child.gIdx), 0, child.cols, out)
  }
  const predicted = new GridPrediction(child.bits, groups, child.gIdx, parent)
  const { rows } = child
  const scaleResiduals = new Int32Array(groups * rows)
  const zeroResiduals = new Int32Array(groups * rows)
  for (let g = 0, at = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++, at++) {
      const scale = child.scales[at] as number
      scaleResiduals[at] = toOrdered(scale) - toOrdered(predicted.scale(g, r))
      zeroResiduals[at] = (child.zeros[at] as number) - predicted.zero(g, r, scale)
    }
  }
  writeSmallInts(scaleResiduals, out)
  writeSmallInts(zeroResiduals, out)
}

export function readQuantGrid(reader: Reader, bits: number, parent: QuantLevel): QuantGrid {
  const { rows, cols } = parent
  const groups = reader.boundedVarint('child groups', cols, 'bad-header')
  if (groups < 1) throw new ConditionalError('bad-header', 'a child level has at least one group', { field: 'child groups' })
  const mode = reader.byte('g_idx mode')
  let gIdx: Int32Array
  if (mode === GroupMode.SameAsParent) {
    gIdx = parent.gIdx
  } else if (mode === GroupMode.Standard) {
    const size = reader.boundedVarint('group size', cols, 'bad-header')
    if (size < 1 || Math.ceil(cols / size) !== groups) throw new ConditionalError('bad-header', `group size ${size} does not give ${groups} groups`, { field: 'group size' })
    gIdx = new Int32Array(cols)
    for (let j = 0; j < cols; j++) gIdx[j] = Math.floor(j / size)
  } else if (mode === GroupMode.Explicit) {
    const listed = new Uint16Array(cols)
    readBlocks(reader, listed, 0, cols, 'g_idx', MAX_BLOCK_SIZE)
    gIdx = Int32Array.from(listed)
  } else {
    throw new ConditionalError('bad-header', `unknown g_idx mode ${mode}`, { field: 'g_idx mode' })
  }
  for (const group of gIdx) if (group >= groups) throw new ConditionalError('bad-payload', `g_idx entry ${group} is not below ${groups}`, { field: 'g_idx' })
  const predicted = new GridPrediction(bits, groups, gIdx, parent)
  const scaleResiduals = readSmallInts(reader, groups * rows, 'child scales')
  const scales = new Uint16Array(groups * rows)
  for (let g = 0, at = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++, at++) {
      const ordered = toOrdered(predicted.scale(g, r)) + (scaleResiduals[at] as number)
      if (ordered < 0 || ordered > 0xffff) throw new ConditionalError('bad-payload', 'a child scale is outside fp16', { field: 'child scales' })
      scales[at] = fromOrdered(ordered)
    }
  }
  const zeroResiduals = readSmallInts(reader, groups * rows, 'child zeros')
  const zeros = new Uint16Array(groups * rows)
  for (let g = 0, at = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++, at++) {
      const zero = predicted.zero(g, r, scales[at] as number) + (zeroResiduals[at] as number)
      if (zero < 0 || zero > 0xffff) throw new ConditionalError('bad-payload', 'a child zero point is outside 0..65535', { field: 'child zeros' })
      zeros[at] = zero
    }
  }
  return { bits, scales, zeros, gIdx }
}

/**
 * What the parent says about child group g of row r, through the parent group of the child
 * group's first column: the same range on a finer grid, so
 * scale_c ~ scale_p * maxq_p / maxq_c and zero_c * scale_c ~ zero_p * scale_p (a symmetric
 * parent's mid-grid zero maps to the child's mid-grid zero).
 */
class GridPrediction {
  /** Per child group, where its parent group's row values start in the parent's [groups, rows] tables. */
  private readonly parentStart: Int32Array
  private readonly scaleRatio: number

  constructor(
    private readonly bits: number,
    groups: number,
    gIdx: Int32Array,
    private readonly parent: QuantLevel,
  ) {
    const firstColumn = new Int32Array(groups).fill(-1)
    for (let j = gIdx.length - 1; j >= 0; j--) firstColumn[gIdx[j] as number] = j
    this.parentStart = new Int32Array(groups)
    for (let g = 0; g < groups; g++) {
      const j = firstColumn[g] as number
      this.parentStart[g] = (j < 0 ? 0 : (parent.gIdx[j] as number)) * parent.rows
    }
    this.scaleRatio = ((1 << parent.bits) - 1) / ((1 << bits) - 1)
  }

  scale(group: number, row: number): number {
    const parentScale = f16BitsToNumber(this.parent.scales[(this.parentStart[group] as number) + row] as number)
    const predicted = parentScale * this.scaleRatio
    return predicted === predicted ? f32ToF16Bits(predicted) : 0x7e00
  }

  zero(group: number, row: number, childScaleBits: number): number {
    const p = (this.parentStart[group] as number) + row
    const parentZero = this.parent.zeros[p] as number
    if (parentZero === 1 << (this.parent.bits - 1)) return 1 << (this.bits - 1)
    const position = (parentZero * f16BitsToNumber(this.parent.scales[p] as number)) / f16BitsToNumber(childScaleBits)
    const maxCode = (1 << this.bits) - 1
    return position >= 0 ? (position <= maxCode ? Math.round(position) : maxCode) : 0
  }
}

function sameArray(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}

/** The group size g with gIdx[j] = floor(j / g) for every column, or 0 if there is none. */
function standardGroupSize(gIdx: Int32Array, groups: number): number {
  const cols = gIdx.length
  const size = groups === 1 ? cols : gIdx.indexOf(1)
  if (size < 1) return 0
  return gIdx.every((group, j) => group === Math.floor(j / size)) && Math.ceil(cols / size) === groups ? size : 0
}

import { ConditionalError, type ConditionalProblem } from './errors.js'
import { isHalfMatrix, isInt8Level, MAX_ELEMENTS, type Child, type Parent, type QuantLevel, type RowBand } from './types.js'

export function parentGroups(parent: Parent): number {
  return isInt8Level(parent) ? 1 : parent.scales.length / parent.rows
}

/**
 * Throws unless the level is self-consistent: array lengths match the shape, group tables are
 * [groups, rows], g_idx and codes are in range. A parent is checked with 'bad-parent', a child
 * given to the encoder with 'bad-child'. With `band`, codes and weights hold its rows only.
 */
export function checkLevel(level: Parent | Child, problem: ConditionalProblem, band?: RowBand): void {
  const fail = (detail: string, field: string): never => {
    throw new ConditionalError(problem, detail, { field })
  }
  const { rows, cols } = level
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols > MAX_ELEMENTS) fail(`shape [${rows}, ${cols}] is not supported`, 'shape')
  const held = band ? (band.end - band.first) * cols : rows * cols
  const shape = band ? `rows ${band.first}..${band.end - 1} of [${rows}, ${cols}]` : `[${rows}, ${cols}]`
  if (isHalfMatrix(level)) {
    if (level.format !== 'f16' && level.format !== 'bf16') fail(`unknown format ${String(level.format)}`, 'format')
    if (level.bits.length !== held) fail(`${level.bits.length} values for ${shape}`, 'bits')
  } else if (isInt8Level(level)) {
    if (level.weight.length !== held) fail(`${level.weight.length} codes for ${shape}`, 'weight')
    if (level.scb.length !== rows) fail(`${level.scb.length} SCB values for ${rows} rows`, 'scb')
  } else {
    checkQuantLevel(level, held, shape, fail)
  }
}

/**
 * Throws 'bad-rows' unless `band` is rows of a matrix of `rows`: whole numbers, first < end <= rows.
 */
export function checkBand(band: RowBand, rows: number): void {
  const { first, end } = band
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(end) && first >= 0 && first < end && end <= rows)) {
    throw new ConditionalError('bad-rows', `rows ${first}..${end} are not a band of a ${rows}-row matrix`, { field: 'rows' })
  }
}

function checkQuantLevel(level: QuantLevel, held: number, shape: string, fail: (detail: string, field: string) => never): void {
  const { rows, cols, bits } = level
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) fail(`code width ${bits} is not 1..8`, 'bits')
  if (level.codes.length !== held) fail(`${level.codes.length} codes for ${shape}`, 'codes')
  const groups = level.scales.length / rows
  if (!Number.isInteger(groups) || groups < 1 || groups > cols) fail(`${level.scales.length} scales do not form [groups, ${rows}]`, 'scales')
  if (level.zeros.length !== level.scales.length) fail(`${level.zeros.length} zeros for ${level.scales.length} scales`, 'zeros')
  if (level.gIdx.length !== cols) fail(`${level.gIdx.length} g_idx entries for ${cols} columns`, 'g_idx')
  for (let j = 0; j < cols; j++) {
    const group = level.gIdx[j] as number
    if (!(group >= 0 && group < groups)) fail(`g_idx[${j}] = ${group} is not below ${groups}`, 'g_idx')
  }
  if (codesOr(level.codes) >> bits) fail(`a code does not fit in ${bits} bits`, 'codes')
}

/** The OR of all codes, four at a time where the array is 4-byte aligned. */
function codesOr(codes: Uint8Array): number {
  const head = Math.min(codes.length, (4 - (codes.byteOffset & 3)) & 3)
  const words = new Uint32Array(codes.buffer, codes.byteOffset + head, (codes.length - head) >>> 2)
  let all = 0
  for (let i = 0; i < words.length; i++) all |= words[i] as number
  all = (all | (all >>> 8) | (all >>> 16) | (all >>> 24)) & 0xff
  for (let i = 0; i < head; i++) all |= codes[i] as number
  for (let i = head + 4 * words.length; i < codes.length; i++) all |= codes[i] as number
  return all
}

/** FNV-1a over the parent's scales (SCB or scales, zeros, g_idx): catches a wrong parent of the right shape cheaply. */
export function fingerprint(parent: Parent): number {
  let hash = 0x811c9dc5
  const mix = (value: number): void => {
    for (let shift = 0; shift < 32; shift += 8) hash = Math.imul(hash ^ ((value >>> shift) & 0xff), 0x01000193)
  }
  if (isInt8Level(parent)) {
    const words = new Uint32Array(Float32Array.from(parent.scb).buffer)
    for (const word of words) mix(word)
  } else {
    for (const scale of parent.scales) mix(scale)
    for (const zero of parent.zeros) mix(zero)
    for (const group of parent.gIdx) mix(group)
  }
  return hash >>> 0
}

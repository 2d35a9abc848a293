import { GptqError } from './errors.js'
import { QUANT_BITS, type GridSpec, type QuantBits } from './grid.js'
import type { BlockedOptions } from './linalg/cholesky.js'

export interface QuantizeOptions {
  bits: number
  /** Columns (input features) per group; -1 means one group per row. Default 128. */
  groupSize?: number
  /** Symmetric grid. Default true. */
  sym?: boolean
}

export interface ResolvedQuantizeOptions extends GridSpec {
  groupSize: number
}

export interface GptqOptions extends QuantizeOptions {
  /** desc_act: process columns by descending Hessian diagonal. Default false. */
  actOrder?: boolean
  /** Fit every group's grid up front from the original weight. Default false. */
  staticGroups?: boolean
  /** Fraction of mean(diag H) added to the diagonal. Default 0.01 (Hugging Face uses 0.1). */
  dampPercent?: number
  /** Lazy-batch width: columns whose updates are batched into one matmul. Default 128. */
  blockSize?: number
  /** Tuning of the blocked Cholesky. */
  linalg?: BlockedOptions
}

export interface ResolvedGptqOptions extends ResolvedQuantizeOptions {
  actOrder: boolean
  staticGroups: boolean
  dampPercent: number
  blockSize: number
  linalg: BlockedOptions
}

export function checkBits(bits: number): QuantBits {
  if (!QUANT_BITS.includes(bits as QuantBits)) {
    throw new GptqError('invalid-bits', `bits must be one of ${QUANT_BITS.join(', ')}, got ${bits}`, { field: 'bits' })
  }
  return bits as QuantBits
}

export function checkGroupSize(groupSize: number): number {
  if (!Number.isInteger(groupSize) || (groupSize < 1 && groupSize !== -1)) {
    throw new GptqError('invalid-group-size', `group_size must be a positive integer or -1, got ${groupSize}`, { field: 'group_size' })
  }
  return groupSize
}

export function resolveQuantizeOptions(options: QuantizeOptions): ResolvedQuantizeOptions {
  return { bits: checkBits(options.bits), groupSize: checkGroupSize(options.groupSize ?? 128), sym: options.sym ?? true }
}

export function resolveGptqOptions(options: GptqOptions): ResolvedGptqOptions {
  const dampPercent = options.dampPercent ?? 0.01
  const blockSize = options.blockSize ?? 128
  if (!Number.isFinite(dampPercent) || dampPercent < 0) {
    throw new GptqError('invalid-option', `damp_percent must be a finite number >= 0, got ${dampPercent}`, { field: 'damp_percent' })
  }
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new GptqError('invalid-option', `block size must be a positive integer, got ${blockSize}`, { field: 'block_size' })
  }
  return {
    ...resolveQuantizeOptions(options),
    actOrder: options.actOrder ?? false,
    staticGroups: options.staticGroups ?? false,
    dampPercent,
    blockSize,
    linalg: options.linalg ?? {},
  }
}

/** Throws unless `values` holds a finite row-major [rows, cols] matrix. */
export function checkMatrix(values: Float32Array, rows: number, cols: number, field: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || values.length !== rows * cols) {
    throw new GptqError('shape-mismatch', `${field} must hold ${rows} x ${cols} values, got ${values.length}`, { field })
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new GptqError('non-finite-value', `${field} has a non-finite value at index ${i}`, { field })
  }
}

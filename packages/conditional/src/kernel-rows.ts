import { CodeRows } from './code-rows.js'
import type { RowPredictor } from './half-predictor.js'
import type { ResidualKernels } from './kernel-module.js'
import { QuantRows } from './quant-rows.js'

/** A predictor's row entries computed by a kernel straight into a space's table region (instead of prepare() and a copy). */
export interface KernelRows {
  setMap(map: Uint8Array | null): void
  fill(row: number, codes: number, columnBase: number, table: number): void
}

/** Bytes the predictor's kernel rows take from a 4-byte aligned base; 0 for predictors without them. */
export function kernelRowsBytes(predict: RowPredictor): number {
  const tableLength = predict.table.length
  if (predict.quant) return QuantRows.bytes(predict.quant.groups, tableLength)
  if (predict.code) return CodeRows.bytes(predict.code.pairs, tableLength)
  return 0
}

/** The predictor's kernel rows laid out at `base`, or null where prepare() fills the table. */
export function openKernelRows(kernels: ResidualKernels, base: number, predict: RowPredictor, cols: number): KernelRows | null {
  const tableLength = predict.table.length
  if (predict.quant) return new QuantRows(kernels, base, predict.quant, cols, tableLength)
  if (predict.code) return new CodeRows(kernels, base, predict.code, cols, tableLength)
  return null
}

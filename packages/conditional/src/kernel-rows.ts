import type { CodeRowSource } from './code-predictor.js'
import { CodeRows } from './code-rows.js'
import type { RowPredictor } from './half-predictor.js'
import type { ResidualKernels } from './kernel-module.js'
import { QuantRows } from './quant-rows.js'

/** A predictor's row entries computed by a kernel straight into a space's table region (instead of prepare() and a copy). */
export interface KernelRows {
  setMap(map: Uint8Array | null): void
  fill(row: number, codes: number, columnBase: number, table: number): void
}

/** Bytes the predictor's kernel rows take from a 4-byte aligned base. */
export function kernelRowsBytes(predict: RowPredictor): number {
  const tableLength = predict.table.length
  if (predict.quant) return QuantRows.bytes(predict.quant.groups, tableLength)
  return CodeRows.bytes(codeSource(predict).pairs, tableLength)
}

/** The predictor's kernel rows laid out at `base`. */
export function openKernelRows(kernels: ResidualKernels, base: number, predict: RowPredictor, cols: number): KernelRows {
  const tableLength = predict.table.length
  if (predict.quant) return new QuantRows(kernels, base, predict.quant, cols, tableLength)
  return new CodeRows(kernels, base, codeSource(predict), cols, tableLength)
}

/** Every predictor has a row source for the kernels: LLM.int8 and GPTQ parents of 16-bit children `quant`, GPTQ children `code`. */
function codeSource(predict: RowPredictor): CodeRowSource {
  if (!predict.code) throw new Error('unreachable: a predictor without a row source')
  return predict.code
}

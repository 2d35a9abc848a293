import type { HalfMatrix, Int8Level, QuantLevel } from '@qchain/conditional'

/** One weight matrix as one level holds it: 16-bit floats, GPTQ codes and grid, or LLM.int8 codes and SCB. */
export type MatrixValue = { kind: 'half'; value: HalfMatrix } | { kind: 'gptq'; value: QuantLevel } | { kind: 'int8'; value: Int8Level }

/** The tensor names a quantized matrix occupies in a checkpoint of each kind. */
export const GPTQ_PARTS = ['qweight', 'qzeros', 'scales', 'g_idx'] as const
export const INT8_PARTS = ['weight', 'SCB'] as const
export type MatrixPart = (typeof GPTQ_PARTS)[number] | (typeof INT8_PARTS)[number]

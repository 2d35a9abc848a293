import type { CheckpointFormat, GptqOptions } from '@qchain/gptq'

/** One quantized level to produce: GPTQ or RTN at some bit width, or LLM.int8 rowwise. */
export type LevelRequest =
  | { method: 'gptq' | 'rtn'; options: GptqOptions; format: CheckpointFormat }
  | { method: 'int8-rowwise' }

/** The name a level goes by in chains and folders: its bit width, or "int8". */
export function levelName(level: LevelRequest): string {
  return level.method === 'int8-rowwise' ? 'int8' : String(level.options.bits)
}

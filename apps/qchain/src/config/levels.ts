import { QchainError } from '@qchain/errors'

/** A precision kept in a chain: bits of a GPTQ level or 16-bit original, or the LLM.int8 level. */
export type Level = '16' | '8' | '4' | '3' | '2' | 'int8'

export const LEVELS: readonly Level[] = ['16', '8', '4', '3', '2', 'int8']

/** Bits per weight of a level's codes, for ordering (int8 sits with 8). */
export const LEVEL_BITS: Record<Level, number> = { '16': 16, '8': 8, '4': 4, '3': 3, '2': 2, int8: 8 }

export class ConfigError extends QchainError {
  constructor(detail: string, context: { file?: string; field?: string } = {}) {
    super('CONFIG_INVALID', detail, context, 'usage')
  }
}

export function parseLevel(text: string, field: string): Level {
  const level = text.trim()
  if (!(LEVELS as readonly string[]).includes(level)) throw new ConfigError(`level ${JSON.stringify(text)} is not one of ${LEVELS.join(', ')}`, { field })
  return level as Level
}

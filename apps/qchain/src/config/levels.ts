import { QchainError, type ErrorCategory } from '@qchain/errors'

/** A precision kept in a chain: bits of a GPTQ level or 16-bit original, or the LLM.int8 level. */
export type Level = '16' | '8' | '4' | '3' | '2' | 'int8'

export const LEVELS: readonly Level[] = ['16', '8', '4', '3', '2', 'int8']

/** Bits per weight of a level's codes, for ordering (int8 sits with 8). */
export const LEVEL_BITS: Record<Level, number> = { '16': 16, '8': 8, '4': 4, '3': 3, '2': 2, int8: 8 }

/**
 * A chain config that cannot be used. A fault in a config file is bad input (exit 3); one on
 * the command line (no file, or the '<command line>' pseudo-file flags are checked as) is a
 * usage error (exit 2); a config file that is not there is not found (exit 4).
 */
export class ConfigError extends QchainError {
  constructor(detail: string, context: { file?: string; field?: string } = {}, category?: ErrorCategory) {
    super('CONFIG_INVALID', detail, context, category ?? (context.file === undefined || context.file.startsWith('<') ? 'usage' : 'input'))
  }
}

export function parseLevel(text: string, field: string): Level {
  const level = text.trim()
  if (!(LEVELS as readonly string[]).includes(level)) throw new ConfigError(`level ${JSON.stringify(text)} is not one of ${LEVELS.join(', ')}`, { field })
  return level as Level
}

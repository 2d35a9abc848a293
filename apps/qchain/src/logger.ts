import { pino, type Logger } from 'pino'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** JSON-lines logs on stderr, so stdout carries only the command's output. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined }, pino.destination(2))
}

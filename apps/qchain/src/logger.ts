import { pino, type Logger } from 'pino'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Logs on stderr, so stdout carries only the command's output: pretty on a terminal, JSON lines otherwise. */
export function createLogger(level: string, interactive = Boolean(process.stderr.isTTY)): Logger {
  if (interactive) return pino({ level, base: undefined, transport: { target: 'pino-pretty', options: { destination: 2, ignore: 'pid,hostname' } } })
  return pino({ level, base: undefined }, pino.destination(2))
}

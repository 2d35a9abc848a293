import type { Logger } from 'pino'
import type { Progress } from './progress.js'

/** What every command gets: where its output goes, its logger, and its progress display. */
export interface CommandIO {
  print(text: string): void
  logger: Logger
  progress: Progress
}

import { QchainError, type ErrorCategory, type ErrorContext } from '@qchain/errors'
import { ChainError, type ChainProblem } from '../errors.js'

/** An error as it crosses from a worker: structured cloning keeps only the message, not the class. */
export interface SentError {
  message: string
  code?: string
  detail?: string
  category?: ErrorCategory
  context?: ErrorContext
  problem?: ChainProblem
}

export function sendError(error: unknown): SentError {
  if (error instanceof ChainError) return { message: error.message, detail: error.detail, context: error.context, problem: error.problem }
  if (error instanceof QchainError) return { message: error.message, code: error.code, detail: error.detail, category: error.category, context: error.context }
  return { message: error instanceof Error ? error.message : String(error) }
}

/** Rebuilds the error with its code and category, so the CLI exits as if it had been thrown here. */
export function receiveError(sent: SentError): Error {
  if (sent.problem !== undefined) return new ChainError(sent.problem, sent.detail ?? sent.message, sent.context)
  if (sent.code !== undefined) return new QchainError(sent.code, sent.detail ?? sent.message, sent.context, sent.category)
  return new Error(sent.message)
}

/** Where a problem was found; every field is optional, the message lists those given. */
export interface ErrorContext {
  file?: string
  tensor?: string
  level?: string
  field?: string
}

/** How the CLI should exit for an error of this kind (documented in the README). */
export type ErrorCategory = 'usage' | 'input' | 'not-found' | 'verification' | 'unsupported'

/**
 * Base of every error qchain throws on purpose. `code` is stable and machine-readable,
 * `context` says where, and the message already contains both so a one-line print is enough.
 */
export class QchainError extends Error {
  readonly code: string
  readonly category: ErrorCategory
  readonly context: ErrorContext
  readonly detail: string

  constructor(code: string, detail: string, context: ErrorContext = {}, category: ErrorCategory = 'input', options?: { cause?: unknown }) {
    super(formatMessage(detail, context), options)
    this.name = new.target.name
    this.code = code
    this.category = category
    this.context = context
    this.detail = detail
  }
}

function formatMessage(detail: string, context: ErrorContext): string {
  const where = (['file', 'tensor', 'level', 'field'] as const)
    .filter((key) => context[key] !== undefined)
    .map((key) => `${key} ${JSON.stringify(context[key])}`)
  return where.length ? `${detail} (${where.join(', ')})` : detail
}

/** True for errors thrown by qchain on purpose, as opposed to bugs or runtime failures. */
export function isQchainError(error: unknown): error is QchainError {
  return error instanceof QchainError
}

import { QchainError, type ErrorContext } from '@qchain/errors'

/** Why a conditional stream was refused (or an encode request rejected); stable values callers can match. */
export type ConditionalProblem =
  | 'truncated'
  | 'bad-magic'
  | 'bad-version'
  | 'bad-header'
  | 'wrong-parent'
  | 'bad-parent'
  | 'bad-table'
  | 'bad-payload'
  | 'trailing-bytes'
  | 'too-large'
  | 'bad-child'
  | 'unsupported-pair'
  | 'bad-rows'
  | 'unsupported-rows'

const USAGE_PROBLEMS: ReadonlySet<ConditionalProblem> = new Set(['bad-child', 'unsupported-pair', 'bad-rows', 'unsupported-rows'])

export class ConditionalError extends QchainError {
  readonly problem: ConditionalProblem

  constructor(problem: ConditionalProblem, detail: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(`CONDITIONAL_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, USAGE_PROBLEMS.has(problem) ? 'usage' : 'input', options)
    this.problem = problem
  }
}

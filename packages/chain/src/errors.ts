import { QchainError, type ErrorCategory, type ErrorContext } from '@qchain/errors'

export type ChainProblem = 'unsupported' | 'mismatch' | 'corrupt' | 'invalid-level' | 'bad-option'

const CATEGORY: Record<ChainProblem, ErrorCategory> = { unsupported: 'unsupported', mismatch: 'verification', corrupt: 'input', 'invalid-level': 'usage', 'bad-option': 'usage' }

export class ChainError extends QchainError {
  readonly problem: ChainProblem

  constructor(problem: ChainProblem, detail: string, context: ErrorContext = {}) {
    super(`CHAIN_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, CATEGORY[problem])
    this.problem = problem
  }
}

import { QchainError, type ErrorCategory, type ErrorContext } from '@qchain/errors'

export type ModelProblem = 'invalid-config' | 'invalid-input' | 'unsupported-architecture' | 'not-found'

const CATEGORY: Record<ModelProblem, ErrorCategory> = {
  'invalid-config': 'input',
  'invalid-input': 'input',
  'unsupported-architecture': 'unsupported',
  'not-found': 'not-found',
}

export class ModelError extends QchainError {
  readonly problem: ModelProblem

  constructor(problem: ModelProblem, detail: string, context: ErrorContext) {
    super(`MODEL_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, CATEGORY[problem])
    this.problem = problem
  }
}

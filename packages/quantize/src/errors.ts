import { QchainError, type ErrorContext } from '@qchain/errors'

export type QuantizeProblem = 'invalid-level' | 'unsupported' | 'not-a-checkpoint' | 'shape-mismatch' | 'output-exists'

export class QuantizeError extends QchainError {
  readonly problem: QuantizeProblem

  constructor(problem: QuantizeProblem, detail: string, context: ErrorContext = {}) {
    super(`QUANTIZE_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, problem === 'unsupported' ? 'unsupported' : problem === 'invalid-level' ? 'usage' : 'input')
    this.problem = problem
  }
}

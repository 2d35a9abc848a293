import { QchainError, type ErrorContext } from '@qchain/errors'

export type CalibrationProblem = 'not-found' | 'invalid-file' | 'empty' | 'token-out-of-range' | 'too-short' | 'invalid-options'

export class CalibrationError extends QchainError {
  readonly problem: CalibrationProblem

  constructor(problem: CalibrationProblem, detail: string, context: ErrorContext = {}) {
    super(`CALIBRATION_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, problem === 'not-found' ? 'not-found' : problem === 'invalid-options' ? 'usage' : 'input')
    this.problem = problem
  }
}

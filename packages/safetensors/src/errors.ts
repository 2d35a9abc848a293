import { QchainError, type ErrorContext } from '@qchain/errors'

/** Why a safetensors input was refused; stable values that tests and callers can match. */
export type SafetensorsProblem =
  | 'truncated'
  | 'header-too-large'
  | 'header-beyond-file'
  | 'invalid-utf8'
  | 'invalid-json'
  | 'invalid-header'
  | 'unknown-dtype'
  | 'size-mismatch'
  | 'offset-out-of-bounds'
  | 'overlap'
  | 'hole'
  | 'read-out-of-bounds'
  | 'unknown-tensor'
  | 'invalid-index'
  | 'invalid-tensor'
  | 'not-found'

export class SafetensorsError extends QchainError {
  readonly problem: SafetensorsProblem

  constructor(problem: SafetensorsProblem, detail: string, context: ErrorContext) {
    super(`SAFETENSORS_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, problem === 'not-found' ? 'not-found' : 'input')
    this.problem = problem
  }
}

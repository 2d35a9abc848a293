import { QchainError, type ErrorCategory, type ErrorContext } from '@qchain/errors'

/** Why a quantization or packing request was refused; stable values tests and callers can match. */
export type GptqProblem =
  | 'invalid-bits'
  | 'invalid-group-size'
  | 'invalid-option'
  | 'shape-mismatch'
  | 'non-finite-value'
  | 'not-positive-definite'
  | 'scale-out-of-range'
  | 'zero-not-representable'
  | 'no-calibration-data'
  | 'backend-not-ready'

const CATEGORY: Record<GptqProblem, ErrorCategory> = {
  'invalid-bits': 'unsupported',
  'invalid-group-size': 'usage',
  'invalid-option': 'usage',
  'shape-mismatch': 'input',
  'non-finite-value': 'input',
  'not-positive-definite': 'input',
  'scale-out-of-range': 'input',
  'zero-not-representable': 'unsupported',
  'no-calibration-data': 'usage',
  'backend-not-ready': 'usage',
}

export class GptqError extends QchainError {
  readonly problem: GptqProblem

  constructor(problem: GptqProblem, detail: string, context: ErrorContext = {}) {
    super(`GPTQ_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, CATEGORY[problem])
    this.problem = problem
  }
}

import { QchainError, type ErrorContext } from '@qchain/errors'

/** Why a container was refused (or a writer call rejected); stable values tests and callers match on. */
export type FormatProblem =
  | 'truncated'
  | 'no-footer'
  | 'unsupported-version'
  | 'footer-checksum'
  | 'bad-footer'
  | 'index-too-large'
  | 'index-checksum'
  | 'invalid-index'
  | 'level-cycle'
  | 'section-checksum'
  | 'file-checksum'
  | 'bad-header'
  | 'bad-padding'
  | 'not-found'
  | 'not-a-file'
  | 'invalid-entry'
  | 'writer-closed'

const VERIFICATION: ReadonlySet<FormatProblem> = new Set(['footer-checksum', 'index-checksum', 'section-checksum', 'file-checksum'])
const USAGE: ReadonlySet<FormatProblem> = new Set(['invalid-entry', 'writer-closed'])

export class FormatError extends QchainError {
  readonly problem: FormatProblem

  constructor(problem: FormatProblem, detail: string, context: ErrorContext = {}) {
    super(`FORMAT_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, categoryOf(problem))
    this.problem = problem
  }
}

function categoryOf(problem: FormatProblem) {
  if (VERIFICATION.has(problem)) return 'verification'
  if (USAGE.has(problem)) return 'usage'
  if (problem === 'not-found') return 'not-found'
  if (problem === 'unsupported-version') return 'unsupported'
  return 'input'
}

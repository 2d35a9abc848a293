import { QchainError, type ErrorContext } from '@qchain/errors'

/** Why a Huffman stream was refused (or an encode request rejected); stable values callers can match. */
export type HuffmanProblem =
  | 'truncated'
  | 'bad-magic'
  | 'bad-version'
  | 'bad-header'
  | 'block-mode'
  | 'block-size'
  | 'bad-table'
  | 'kraft'
  | 'bad-payload'
  | 'trailing-bytes'
  | 'too-large'
  | 'output-size'
  | 'bad-option'
  | 'symbol-range'
  | 'count-mismatch'

const USAGE_PROBLEMS: ReadonlySet<HuffmanProblem> = new Set(['bad-option', 'symbol-range', 'output-size'])

export class HuffmanError extends QchainError {
  readonly problem: HuffmanProblem

  constructor(problem: HuffmanProblem, detail: string, context: ErrorContext = {}) {
    super(`HUFFMAN_${problem.toUpperCase().replaceAll('-', '_')}`, detail, context, USAGE_PROBLEMS.has(problem) ? 'usage' : 'input')
    this.problem = problem
  }
}

import { QchainError } from '@qchain/errors'

/** A command line that cannot be run as given. */
export class UsageError extends QchainError {
  constructor(detail: string, field?: string) {
    super('USAGE', detail, field === undefined ? {} : { field }, 'usage')
  }
}

import type { ErrorCategory } from '@qchain/errors'

/** Process exit codes, one per error category (listed in the README). */
export const EXIT_CODES: Record<'ok' | 'internal' | ErrorCategory, number> = {
  ok: 0,
  internal: 1,
  usage: 2,
  input: 3,
  'not-found': 4,
  verification: 5,
  unsupported: 6,
}

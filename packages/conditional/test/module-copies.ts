import { vi } from 'vitest'
import { ConditionalError, type Child } from '../src/index.js'

/** Runs `work` with WebAssembly hidden, so module copies whose kernels load on first use take their TypeScript paths. */
export function withoutWebAssembly<T>(work: () => T): T {
  vi.stubGlobal('WebAssembly', undefined)
  try {
    return work()
  } finally {
    vi.unstubAllGlobals()
  }
}

/** The outcome of a decode: the child's values, or the error's problem (module copies have their own error classes, hence the name test). */
export function outcome(work: () => Child): string | Child {
  try {
    return work()
  } catch (error) {
    if (!(error instanceof Error) || error.constructor.name !== ConditionalError.name) throw error
    return (error as ConditionalError).problem
  }
}

import { expect, vi } from 'vitest'
import { ConditionalError, type ConditionalProblem } from '../src/index.js'

/** Runs `work` with WebAssembly hidden, so module copies whose kernels load on first use take their TypeScript paths. */
export function withoutWebAssembly<T>(work: () => T): T {
  vi.stubGlobal('WebAssembly', undefined)
  try {
    return work()
  } finally {
    vi.unstubAllGlobals()
  }
}

/** The outcome of a decode: what it returns, or the error's problem (module copies have their own error classes, hence the name test). */
export function outcome<T>(work: () => T): string | T {
  try {
    return work()
  } catch (error) {
    if (!(error instanceof Error) || error.constructor.name !== ConditionalError.name) throw error
    return (error as ConditionalError).problem
  }
}

/** Runs work that must be refused: a ConditionalError, from any module copy, of `problem` when given. */
export function expectRefused(work: () => unknown, problem?: ConditionalProblem): void {
  const result = outcome(work)
  expect(typeof result, 'should have been refused').toBe('string')
  if (problem) expect(result).toBe(problem)
}

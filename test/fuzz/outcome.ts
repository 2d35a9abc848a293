import type { Rng } from './rng.js'

/**
 * What one case did. `ok`: decoded and the output passed the target's checks; `typed-error`:
 * refused with a QchainError; `detected`: a container rebuilt to bytes whose SHA-256 differs
 * from the recorded one, which is the end-to-end check `verify` and `extract` apply. The rest
 * are failures.
 */
export type Outcome = 'ok' | 'typed-error' | 'detected' | 'crash' | 'hang' | 'wrong-output' | 'huge-allocation'

export const OUTCOMES: readonly Outcome[] = ['ok', 'typed-error', 'detected', 'crash', 'hang', 'wrong-output', 'huge-allocation']
export const FAILURES: ReadonlySet<Outcome> = new Set(['crash', 'hang', 'wrong-output', 'huge-allocation'])

/** What a case returns when the decoder finished without throwing. */
export type Verdict = { outcome: 'ok' | 'detected' } | { outcome: 'wrong-output'; detail: string }

export const OK: Verdict = { outcome: 'ok' }
export const wrong = (detail: string): Verdict => ({ outcome: 'wrong-output', detail })

/** One fuzz case: mutate a valid input with `rng`, decode it, judge the output. `log` says what was mutated. */
export type FuzzCase = (rng: Rng, log: string[]) => Promise<Verdict>

export interface PreparedTarget {
  run: FuzzCase
  /** Removes temporary files. */
  close?: () => Promise<void>
}

export interface FuzzTarget {
  name: string
  /** Builds the valid inputs once; every case starts from them. */
  prepare(): Promise<PreparedTarget>
}

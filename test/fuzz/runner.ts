import { isQchainError } from '@qchain/errors'
import { FAILURES, OUTCOMES, type FuzzTarget, type Outcome, type PreparedTarget } from './outcome.js'
import { Rng } from './rng.js'
import type { Watchdog } from './watchdog.js'

export interface RunOptions {
  seed: number
  /** Cases run: indices first .. first + cases - 1. */
  cases: number
  first?: number
  /** A case slower than this is a hang (synchronous decoders cannot be interrupted, so it is measured). */
  hangMs?: number
  /** A case that grows array buffers or RSS by more than this is a huge allocation. */
  memoryBytes?: number
  watchdog?: Watchdog
}

export interface Failure {
  target: string
  seed: number
  caseIndex: number
  outcome: Outcome
  mutation: string
  detail: string
}

export interface TargetReport {
  target: string
  cases: number
  ms: number
  counts: Record<Outcome, number>
  failures: Failure[]
}

const DEFAULT_HANG_MS = 2000
// Every valid input is a few KiB, so a case that allocates hundreds of MiB trusted a length it should not have.
const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024
/** Keep the first failures of each target in full; the counts hold the rest. */
const KEPT_FAILURES = 20

/** The first lines of an unexpected error's stack: enough to find the throwing line. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error thrown: ${String(error)}`
  const stack = (error.stack ?? `${error.name}: ${error.message}`).split('\n')
  return stack.slice(0, 6).join('\n')
}

/** Runs one case and classifies it. */
export async function runCase(target: string, prepared: PreparedTarget, seed: number, caseIndex: number, options: RunOptions): Promise<{ outcome: Outcome; mutation: string; detail: string }> {
  const log: string[] = []
  const before = process.memoryUsage()
  const start = performance.now()
  let outcome: Outcome
  let detail = ''
  try {
    const verdict = await prepared.run(Rng.forCase(target, seed, caseIndex), log)
    outcome = verdict.outcome
    if (verdict.outcome === 'wrong-output') detail = verdict.detail
  } catch (error) {
    outcome = isQchainError(error) ? 'typed-error' : 'crash'
    detail = outcome === 'crash' ? describe(error) : (error as Error).message
  }
  const ms = performance.now() - start
  const after = process.memoryUsage()
  const grown = Math.max(after.arrayBuffers - before.arrayBuffers, after.rss - before.rss)
  if (!FAILURES.has(outcome) && ms > (options.hangMs ?? DEFAULT_HANG_MS)) {
    detail = `took ${ms.toFixed(0)} ms (${outcome}${detail ? `: ${detail}` : ''})`
    outcome = 'hang'
  } else if (!FAILURES.has(outcome) && grown > (options.memoryBytes ?? DEFAULT_MEMORY_BYTES)) {
    detail = `grew memory by ${(grown / 2 ** 20).toFixed(0)} MiB (${outcome})`
    outcome = 'huge-allocation'
  }
  return { outcome, mutation: log.join(' | '), detail }
}

/** Runs a target's cases in order, counting outcomes and keeping the first failures. */
export async function runTarget(target: FuzzTarget, options: RunOptions): Promise<TargetReport> {
  const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>
  const failures: Failure[] = []
  const first = options.first ?? 0
  const start = performance.now()
  const prepared = await target.prepare()
  try {
    for (let caseIndex = first; caseIndex < first + options.cases; caseIndex++) {
      options.watchdog?.enter(`target ${target.name} seed ${options.seed} case ${caseIndex}`)
      const result = await runCase(target.name, prepared, options.seed, caseIndex, options)
      counts[result.outcome]++
      if (FAILURES.has(result.outcome) && failures.length < KEPT_FAILURES) failures.push({ target: target.name, seed: options.seed, caseIndex, ...result })
    }
  } finally {
    options.watchdog?.leave()
    await prepared.close?.()
  }
  return { target: target.name, cases: options.cases, ms: performance.now() - start, counts, failures }
}

export function failureCount(report: TargetReport): number {
  return [...FAILURES].reduce((sum, outcome) => sum + report.counts[outcome], 0)
}

import { afterAll, describe, expect, it } from 'vitest'
import { formatCounts, formatFailure } from './report.js'
import { failureCount, runTarget, type TargetReport } from './runner.js'
import { TARGETS } from './targets/index.js'
import { startWatchdog } from './watchdog.js'

/**
 * The short fuzz run of the test suite: a fixed case budget per target (about 40 s in all on
 * an idle machine), the same cases every run unless FUZZ_SEED says otherwise. The long run is
 * `npm run fuzz -- --cases 100000`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20240611)
const BUDGET: Record<string, number> = {
  safetensors: 30_000,
  'gptq-unpack': 30_000,
  checkpoint: 3_000,
  huffman: 40_000,
  conditional: 30_000,
  container: 8_000,
}

const watchdog = startWatchdog(60_000)
const reports: TargetReport[] = []
afterAll(async () => {
  await watchdog.stop()
  console.log(`fuzz seed ${SEED}\n${formatCounts(reports)}`)
})

describe('decoders survive mutated inputs: every case decodes correctly or throws a QchainError', () => {
  it.each(TARGETS.map(({ target }) => [target.name, target] as const))('%s', async (name, target) => {
    const report = await runTarget(target, { seed: SEED, cases: BUDGET[name] ?? 1000, watchdog })
    reports.push(report)
    console.log(formatCounts([report]))
    const failures = failureCount(report)
    expect(failures, `${failures} failures; the first ones:\n${report.failures.map(formatFailure).join('\n')}`).toBe(0)
  })
})

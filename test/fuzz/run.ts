/**
 * The long fuzz run: `npm run fuzz -- --cases 100000 [--seed S] [--target a,b]`, spread over the
 * targets by weight, prints the counts per target and outcome and exits 1 on any failure.
 * `--target T --seed S --case K` replays one case and prints its outcome in full.
 */
import { parseArgs } from 'node:util'
import { formatCounts, formatFailure, totalFailures } from './report.js'
import { runCase, runTarget, type TargetReport } from './runner.js'
import { TARGETS } from './targets/index.js'
import { startWatchdog } from './watchdog.js'

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    target: { type: 'string' },
    case: { type: 'string' },
    'hang-ms': { type: 'string', default: '2000' },
  },
})

const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const hangMs = Number(values['hang-ms'])
const wanted = values.target?.split(',')
const selected = TARGETS.filter(({ target }) => !wanted || wanted.includes(target.name))
if (selected.length === 0) {
  console.error(`no target named ${values.target}; targets: ${TARGETS.map(({ target }) => target.name).join(', ')}`)
  process.exit(2)
}

if (values.case !== undefined) {
  const [only] = selected
  if (!only || selected.length !== 1) throw new Error('--case needs exactly one --target')
  const prepared = await only.target.prepare()
  const result = await runCase(only.target.name, prepared, seed, Number(values.case), { seed, cases: 1, hangMs })
  await prepared.close?.()
  console.log(`target ${only.target.name} seed ${seed} case ${values.case}: ${result.outcome}\nmutation: ${result.mutation}\n${result.detail}`)
  process.exit(['ok', 'typed-error', 'detected'].includes(result.outcome) ? 0 : 1)
}

const total = Number(values.cases)
const weights = selected.reduce((sum, { weight }) => sum + weight, 0)
console.log(`fuzzing ${selected.map(({ target }) => target.name).join(', ')} with ${total} cases, seed ${seed}`)
const watchdog = startWatchdog(Math.max(30_000, hangMs * 10))
const reports: TargetReport[] = []
for (const { target, weight } of selected) {
  const cases = Math.max(1, Math.round((total * weight) / weights))
  const report = await runTarget(target, { seed, cases, hangMs, watchdog })
  console.log(`${target.name}: ${cases} cases in ${(report.ms / 1000).toFixed(1)} s`)
  reports.push(report)
}
await watchdog.stop()
console.log(`\n${formatCounts(reports)}\n`)
for (const report of reports) for (const failure of report.failures) console.log(formatFailure(failure))
const failures = totalFailures(reports)
console.log(failures === 0 ? 'no failures' : `${failures} failures (the first ${reports.reduce((sum, r) => sum + r.failures.length, 0)} listed above)`)
process.exit(failures === 0 ? 0 : 1)

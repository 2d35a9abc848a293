import { cpus, loadavg, tmpdir } from 'node:os'
import { nativeKernels } from '@qchain/conditional'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { GROUPS, runBench, type Group } from '../bench/suite.js'
import type { Measurement } from '../bench/measure.js'
import { numberFlag } from '../flags.js'
import { formatTable } from '../format-table.js'
import type { CommandIO } from '../io.js'
import { UsageError } from '../usage-error.js'
import { requireFolder, requireOutputFolder } from '../paths.js'
import { writeTextAtomically } from '../write-text.js'

export const HELP = `qchain bench [--only ${GROUPS.join(',')}] [--workers 1,2] [--out results.json] [--quick]

Measures qchain's encode and decode beside zstd-3, zstd-19, lz4, the ZipNN byte-plane
split and a plain safetensors read, on the same bytes in one run, and prints a table
with the issue's targets (pass/fail); failing targets are reported, not errors.
Every group runs unless --only names some.
  pool       starting and closing the worker threads (the fixed cost inside every encode row)
  isnet      LLM.int8 pair of the isnet-fp16 fixture: int8 alone and 16|int8, plus baselines
  babyllama  GPTQ chain 4 > 8|4 > 16|8 of babyllama-105-fp16 (levels cached between runs)
  synthetic  two Llama-7B-sized layers (4096x4096, 11008x4096) of Student-t weights, RTN 8/4
  gptq       GPTQ of one 4096x4096 layer on 4096 tokens (packages/gptq's bench)
  rss        peak memory of a whole qchain chain (16/8/4, RTN) of a synthetic TinyLlama-1.1B-shaped
             model, generated once into the cache (2.2 GB; about 25 minutes per worker count)
Options:
  --workers 1,2      worker counts to measure every qchain row with (speedup = 1 worker / N)
  --runs N           timed runs per row after one warm-up (default 3; the median is kept)
  --quick            small inputs, one run: a smoke test in seconds
  --out <file>       also write the rows as JSON
  --cache <dir>      where quantized levels and synthetic models are kept (default: the temp folder)
  --fixtures <dir>   the real-weight fixtures (default: QCHAIN_FIXTURES or ../shared/fixtures)`

// The monorepo's fixtures sit beside it; this file is apps/qchain/{src,dist}/commands/bench.*
const DEFAULT_FIXTURES = process.env.QCHAIN_FIXTURES ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures')

export async function run(args: string[], { print, progress }: CommandIO): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      only: { type: 'string' },
      workers: { type: 'string', default: '1,2' },
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      cache: { type: 'string' },
      fixtures: { type: 'string' },
    },
  })
  const only = values.only === undefined ? [...GROUPS] : values.only.split(',').map((name) => name.trim())
  for (const name of only) if (!(GROUPS as readonly string[]).includes(name)) throw new UsageError(`--only takes ${GROUPS.join(', ')}; got ${JSON.stringify(name)}`, 'only')
  const workers = values.workers.split(',').map((count) => numberFlag(count.trim(), 'workers', 1, { min: 1 }))
  const runs = numberFlag(values.runs, 'runs', values.quick ? 1 : 3, { min: 1 })
  // Without --fixtures a missing fixture skips its group; a folder named on purpose must be there.
  if (values.fixtures !== undefined) await requireFolder(values.fixtures, 'fixtures')
  if (values.out !== undefined) await requireOutputFolder(values.out, 'out')
  const started = { date: new Date().toISOString(), loadavg: loadavg() }
  const rows = await runBench({
    only: only as Group[],
    workers,
    quick: values.quick,
    runs,
    cacheDir: resolve(values.cache ?? join(tmpdir(), 'qchain-bench-cache')),
    fixturesDir: resolve(values.fixtures ?? DEFAULT_FIXTURES),
    onStatus: (text) => progress.update('bench', 0, 1, text),
  }).finally(() => progress.stop())
  // which conditional kernels ran (workers load them the same way): figures differ by ~20% between the two
  const kernels = nativeKernels() ? 'native' : 'webassembly'
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, kernels, loadavgAtStart: started.loadavg, loadavgAtEnd: loadavg() }
  print(renderTable(rows))
  print(`\n${started.date}, ${machine.cpus} x ${machine.cpu}, ${kernels} kernels, load average ${machine.loadavgAtStart.map((load) => load.toFixed(2)).join(' ')} at start, ${machine.loadavgAtEnd.map((load) => load.toFixed(2)).join(' ')} at end`)
  if (values.out !== undefined) await writeTextAtomically(resolve(values.out), `${JSON.stringify({ date: started.date, machine, quick: values.quick, runs, measurements: rows }, null, 2)}\n`)
}

function renderTable(rows: readonly Measurement[]): string {
  const headers = ['name', 'workers', 'input bytes', 'output bytes', 'seconds', 'fastest-slowest', 'MB/s', 'ratio', 'speedup', 'target', 'pass']
  const cells = rows.map((row) => [
    row.name,
    String(row.workers),
    String(row.inputBytes),
    String(row.outputBytes),
    row.seconds.toFixed(4),
    row.fastestSeconds === undefined || row.runs < 2 ? '' : `${row.fastestSeconds.toFixed(3)}-${(row.slowestSeconds as number).toFixed(3)}`,
    row.MBps.toFixed(0),
    row.ratio.toFixed(4),
    row.speedup === undefined ? '' : `${row.speedup.toFixed(2)}x`,
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? 'pass' : 'FAIL',
  ])
  return formatTable(headers, cells)
}

import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { chainReader } from '@qchain/chain'
import { verifyChain } from '@qchain/chain/node'
import { QchainError } from '@qchain/errors'
import { openContainerFile } from '@qchain/format/node'
import { numberFlag } from '../flags.js'
import { formatBytes } from '../format-table.js'
import { UsageError } from '../usage-error.js'
import type { CommandIO } from '../io.js'

export const HELP = `qchain verify <container> [--level L] [--json] [--workers N]

Checks every section's checksum, rebuilds every file of every level (or of one) and
compares its SHA-256 with the one recorded when the container was written. Exits 0 only
if everything matches; otherwise names each file that differs (exit 5). Tensors are
decoded on --workers threads (default: the cores available).`

export async function run(args: string[], { print }: CommandIO): Promise<void> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { level: { type: 'string' }, json: { type: 'boolean', default: false }, workers: { type: 'string' } } })
  if (positionals.length !== 1) throw new UsageError(`verify takes one container path, got ${positionals.length}`)
  const path = positionals[0] as string
  const workers = numberFlag(values.workers, 'workers', availableParallelism(), { min: 1 })
  const container = await openContainerFile(path)
  try {
    if (values.level !== undefined && !container.levels.includes(values.level)) {
      throw new UsageError(`level ${JSON.stringify(values.level)} is not in this container; it holds ${container.levels.join(', ')}`, 'level')
    }
    const levels = values.level === undefined ? container.levels : [values.level]
    const started = performance.now()
    const report = await verifyChain(chainReader(container), levels, { workers })
    const seconds = (performance.now() - started) / 1000
    if (values.json) print(JSON.stringify({ container: path, levels, seconds, ...report }, null, 2))
    else if (report.failures.length === 0) print(`ok: ${report.checked} files of levels ${levels.join(', ')} (${formatBytes(report.bytes)}) rebuilt byte for byte in ${seconds.toFixed(1)} s`)
    if (report.failures.length > 0) {
      const first = report.failures[0]
      const lines = report.failures.map((failure) => `level ${failure.level}, ${failure.file}: ${failure.error ?? `SHA-256 ${failure.actual}, expected ${failure.expected}`}`)
      if (!values.json) print(lines.join('\n'))
      throw new QchainError('VERIFY_FAILED', `${report.failures.length} file(s) do not rebuild as recorded`, { file: path, level: first?.level ?? '' }, 'verification')
    }
  } finally {
    await container.close()
  }
}

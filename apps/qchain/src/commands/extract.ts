import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { chainReader } from '@qchain/chain'
import { extractLevel } from '@qchain/chain/node'
import { openContainerFile } from '@qchain/format/node'
import { formatBytes } from '../format-table.js'
import { numberFlag, requiredFlag } from '../flags.js'
import { UsageError } from '../usage-error.js'
import type { CommandIO } from '../io.js'

export const HELP = `qchain extract <container> --level <16|8|4|int8|...> --out <dir> [--workers N]

Rebuilds one level's checkpoint folder (safetensors shards and index, GPTQ or LLM.int8
tensors, config and tokenizer files) byte for byte, reading only the sections that level
and its ancestors need. Every file's SHA-256 is checked against the container's record
before the folder appears; on any mismatch nothing is left behind. Tensors are decoded on
--workers threads (default: the cores available; 1 decodes on the main thread).`

export async function run(args: string[], { print }: CommandIO): Promise<void> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { level: { type: 'string' }, out: { type: 'string' }, workers: { type: 'string' } } })
  if (positionals.length !== 1) throw new UsageError(`extract takes one container path, got ${positionals.length}`)
  const level = requiredFlag(values.level, 'level')
  const out = requiredFlag(values.out, 'out')
  const workers = numberFlag(values.workers, 'workers', availableParallelism(), { min: 1 })
  const container = await openContainerFile(positionals[0] as string)
  try {
    if (!container.levels.includes(level)) throw new UsageError(`level ${JSON.stringify(level)} is not in this container; it holds ${container.levels.join(', ')}`, 'level')
    const started = performance.now()
    const { files, bytes } = await extractLevel(chainReader(container), level, out, { workers })
    const seconds = (performance.now() - started) / 1000
    print(`level ${level}: ${files} files, ${formatBytes(bytes)} in ${seconds.toFixed(1)} s -> ${out}`)
  } finally {
    await container.close()
  }
}

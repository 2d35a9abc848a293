import { mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { resolveModel } from '@qchain/model'
import { openCheckpoint } from '@qchain/quantize'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { analyzeQuantized, analyzeSixteenBit, type LevelAnalysis } from '../analyze/analyze-levels.js'
import { renderAnalysis } from '../analyze/render.js'
import { requiredFlag } from '../flags.js'
import { analyzePairs } from '../analyze/analyze-pairs.js'
import { ConfigError, type Level } from '../config/levels.js'
import { loadChainConfig, type ChainConfig } from '../config/load.js'
import { defaultTopology, formatTopology, parseTopology, topologyLevels } from '../config/topology.js'
import { UsageError } from '../usage-error.js'
import { writeTextAtomically } from '../write-text.js'
import type { CommandIO } from '../io.js'

export const HELP = `qchain analyze --model <16-bit dir|hub-id> [--level <quantized dir> ...] [--topology T] [--json] [--out <dir>]
qchain analyze --config chain.config.json [--json] [--out <dir>]

What each level costs: per level and per tensor, the values, raw bytes, the bytes qchain's
Huffman coder writes (tables, headers and side information counted), the order-0 entropy
bound, and lz4, zstd-3 and zstd-19 on the same bytes. Every coded stream is decoded again
and compared, so a row is only printed for a bit-exact round trip.

  --level <dir>   a GPTQ or LLM.int8 checkpoint of the same model (repeatable)
  --topology T    the chain whose conditional pairs to measure, e.g. "4 > 8|4 > 16|8"
                  (default: the smallest level as base, each next given the one below)
  --config F      take the model, the levels and the topology from a chain config: each
                  quantized level is its levels.L.from folder, or the checkpoint folder a
                  'qchain chain' run with output.checkpoints left in the output folder
  --json          print the full analysis (per tensor) as JSON
  --out <dir>     also write analysis.md and analysis.json there`

export async function run(args: string[], { print, progress }: CommandIO): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { config: { type: 'string' }, model: { type: 'string' }, level: { type: 'string', multiple: true }, topology: { type: 'string' }, json: { type: 'boolean', default: false }, out: { type: 'string' } },
  })
  const config = values.config === undefined ? undefined : await loadChainConfig(values.config)
  const { path } = config ? await resolveModel(config.source, { cwd: config.baseDir }) : await resolveModel(requiredFlag(values.model, 'model'))
  const levelDirs = config ? await configLevelFolders(config) : (values.level ?? [])
  // Every level is resolved and opened before the long 16-bit pass, so a wrong path fails at once.
  const levelPaths: string[] = []
  for (const level of levelDirs) {
    const { path: levelPath } = await resolveModel(level)
    await (await openCheckpoint(levelPath)).close()
    levelPaths.push(levelPath)
  }
  const out = values.out ?? config?.output.dir
  if (out) await mkdir(out, { recursive: true }) // an --out that cannot be a folder fails now, not after the analysis
  const levels: LevelAnalysis[] = [await analyzeSixteenBit(path, { onTensor: (done, total) => progress.update('analyze 16', done + 1, total) })]
  const folders = new Map([['16', path]])
  const sixteenBit = await openSafetensorsFolder(path)
  try {
    for (const levelPath of levelPaths) {
      const analysis = await analyzeQuantized(levelPath, sixteenBit, { onTensor: (done, total) => progress.update(`analyze ${levelPath}`, done + 1, total) })
      if (folders.has(analysis.level)) throw new UsageError(`two levels are both ${analysis.level}-bit`, 'level')
      folders.set(analysis.level, levelPath)
      levels.push(analysis)
    }
  } finally {
    await sixteenBit.close()
  }
  const topology = config?.topology ?? (values.topology === undefined ? defaultTopology([...folders.keys()] as Level[]) : parseTopology(values.topology))
  const missing = topologyLevels(topology).filter((level) => !folders.has(level))
  if (missing.length > 0) throw new UsageError(`the topology names level(s) ${missing.join(', ')} that no --level provides`, 'topology')
  const pairs = await analyzePairs(topology, folders, (pair, done, total) => progress.update('pairs', done, total, pair))
  progress.stop()
  const json = JSON.stringify({ model: path, topology: formatTopology(topology), levels, pairs }, null, 2)
  const markdown = renderAnalysis(levels, pairs)
  if (out) {
    await writeTextAtomically(join(out, 'analysis.json'), `${json}\n`)
    await writeTextAtomically(join(out, 'analysis.md'), `# qchain analyze: ${path}\n\n${markdown}\n`)
  }
  print(values.json ? json : markdown)
}

/** The quantized levels of a chain config: given with `from`, or left by `qchain chain` with output.checkpoints. */
async function configLevelFolders(config: ChainConfig): Promise<string[]> {
  const dirs: string[] = []
  for (const plan of config.levels) {
    if (plan.level === '16') continue
    const dir = plan.from ?? join(config.output.dir, `${config.name}-levels`, plan.level)
    if (!(await stat(dir).then((info) => info.isDirectory(), () => false))) {
      throw new ConfigError(`level ${plan.level} has no checkpoint folder at ${dir}: give levels.${plan.level}.from, or run qchain chain with output.checkpoints first`, { field: `levels.${plan.level}` }, 'not-found')
    }
    dirs.push(dir)
  }
  return dirs
}

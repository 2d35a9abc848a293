import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { runChain } from '../chain/run-chain.js'
import { ConfigError } from '../config/levels.js'
import { parseChainConfig, readConfigText } from '../config/load.js'
import { formatBytes } from '../format-table.js'
import type { CommandIO } from '../io.js'

export const HELP = `qchain chain [--config chain.config.json] [overrides...]

Builds a chain: quantizes the levels the config asks for (GPTQ through the model on
calibration text, RTN, or LLM.int8), codes them into one .qchain container (the base
alone, each other level given its parent), verifies that every level rebuilds byte for
byte, measures each level's perplexity, and writes report.md, report.json and report.svg.

Every config field can be given as a flag (flags override the file):
  --model <dir|hub-id>        source              --levels 16,8,4      levels
  --topology "4 > 8|4 > 16|8" topology            --name <name>        container and report name
  --calibration <file>|default --samples N --seq-len T --seed S        calibration
  --method gptq|rtn --group-size N --sym|--asym --act-order --static-groups --damp F --block-size N
  --format gptq|gptq_v2       quantize settings
  --evaluation <file>|default --eval-samples N --eval-seq-len T --no-eval   held-out perplexity per level
  --out <dir>                 output folder       --checkpoints        also keep each quantized level as a folder
  --no-verify                 skip the decode-and-hash check
  --workers N                 threads coding and decoding tensors (default: the cores available)
  --no-baselines              report without the zstd-19 and Huffman-alone sizes (they are slow on large models)
  --json                      print report.json on stdout
The JSON Schema of the config file is apps/qchain/chain.config.schema.json.`

const FLAGS = {
  config: { type: 'string' },
  model: { type: 'string' },
  levels: { type: 'string' },
  topology: { type: 'string' },
  name: { type: 'string' },
  calibration: { type: 'string' },
  samples: { type: 'string' },
  'seq-len': { type: 'string' },
  seed: { type: 'string' },
  method: { type: 'string' },
  'group-size': { type: 'string' },
  sym: { type: 'boolean' },
  asym: { type: 'boolean' },
  'act-order': { type: 'boolean' },
  'static-groups': { type: 'boolean' },
  damp: { type: 'string' },
  'block-size': { type: 'string' },
  format: { type: 'string' },
  evaluation: { type: 'string' },
  'eval-samples': { type: 'string' },
  'eval-seq-len': { type: 'string' },
  'no-eval': { type: 'boolean' },
  out: { type: 'string' },
  checkpoints: { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  workers: { type: 'string' },
  'no-baselines': { type: 'boolean' },
  json: { type: 'boolean', default: false },
} as const

export async function run(args: string[], { print, logger, progress }: CommandIO): Promise<void> {
  const { values } = parseArgs({ args, strict: true, options: FLAGS })
  const file = values.config === undefined ? undefined : resolve(values.config)
  const raw = file ? await readConfigJson(file) : {}
  const config = parseChainConfig(applyFlags(raw, values), file ? dirname(file) : process.cwd(), file ?? '<command line>')
  const { report, reportDir } = await runChain(config, progress, logger).finally(() => progress.stop())
  if (values.json) {
    print(JSON.stringify(report, null, 2))
    return
  }
  const raws = report.levels.reduce((sum, level) => sum + level.rawBytes, 0)
  print(
    [
      `chain ${report.topology}: ${formatBytes(report.containerBytes)} container, ${(report.containerBytes / raws).toFixed(3)} of the ${formatBytes(raws)} the levels take apart`,
      ...report.levels.map(
        (level) =>
          `  level ${level.parent ? `${level.level}|${level.parent}` : level.level}: ${formatBytes(level.ownBytes)} (${level.bitsPerWeight.toFixed(3)} bits/weight)` +
          (level.meanNll === undefined ? '' : `, mean NLL ${level.meanNll.toFixed(4)}`),
      ),
      `container: ${report.container}`,
      `report: ${reportDir}/report.md (also report.json, report.svg)`,
    ].join('\n'),
  )
}

async function readConfigJson(file: string): Promise<Record<string, unknown>> {
  const text = await readConfigText(file)
  try {
    const json: unknown = JSON.parse(text)
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('the top level must be an object')
    return json as Record<string, unknown>
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, { file })
  }
}

type Values = { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string }

/** Flags become config fields before validation, so a bad flag is reported like a bad field. */
function applyFlags(raw: Record<string, unknown>, values: Values): Record<string, unknown> {
  const config: Record<string, unknown> = { ...raw }
  const section = (name: string) => (config[name] = { ...((config[name] as Record<string, unknown> | undefined) ?? {}) }) as Record<string, unknown>
  const number = (text: string) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text)
  // Paths on the command line are relative to the working folder, not to the config file.
  const textSource = (value: string) => (value === 'default' ? value : resolve(value))
  if (values.model !== undefined) config.source = existsSync(values.model) ? resolve(values.model) : values.model
  if (values.levels !== undefined) config.levels = values.levels.split(',').map((level) => (level.trim() === 'int8' ? 'int8' : number(level.trim())))
  if (values.topology !== undefined) config.topology = values.topology
  if (values.name !== undefined) config.name = values.name
  const calibration = [['calibration', 'source'], ['samples', 'samples'], ['seq-len', 'seqLen'], ['seed', 'seed']] as const
  for (const [flag, field] of calibration) if (values[flag] !== undefined) section('calibration')[field] = field === 'source' ? textSource(values[flag] as string) : number(values[flag] as string)
  const quantize = [['method', 'method'], ['group-size', 'groupSize'], ['damp', 'damp'], ['block-size', 'blockSize'], ['format', 'format']] as const
  for (const [flag, field] of quantize) if (values[flag] !== undefined) section('quantize')[field] = field === 'method' || field === 'format' ? values[flag] : number(values[flag] as string)
  if (values.sym || values.asym) section('quantize').sym = !values.asym
  if (values['act-order']) section('quantize').actOrder = true
  if (values['static-groups']) section('quantize').staticGroups = true
  if (values.evaluation !== undefined) section('evaluation').source = textSource(values.evaluation)
  if (values['eval-samples'] !== undefined) section('evaluation').samples = number(values['eval-samples'])
  if (values['eval-seq-len'] !== undefined) section('evaluation').seqLen = number(values['eval-seq-len'])
  if (values['no-eval']) section('evaluation').enabled = false
  if (values.out !== undefined) section('output').dir = resolve(values.out)
  if (values.checkpoints) section('output').checkpoints = true
  if (values['no-verify']) config.verify = false
  if (values.workers !== undefined) config.workers = number(values.workers)
  if (values['no-baselines']) section('report').baselines = false
  return config
}

import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { basename, dirname, isAbsolute, resolve } from 'node:path'
import { chainConfigSchema, QUANTIZE_DEFAULTS, type LevelSpec, type QuantizeSettings, type RawChainConfig } from './schema.js'
import { ConfigError, parseLevel, type Level } from './levels.js'
import { defaultTopology, formatTopology, parseTopology, topologyLevels, type Topology } from './topology.js'

export interface LevelPlan {
  level: Level
  /** An existing checkpoint folder to ingest instead of quantizing. */
  from?: string
  format?: 'gptq' | 'gptq_v2'
  quantize: QuantizeSettings
}

export interface ChainConfig {
  name: string
  /** The model reference as written; resolve it from `baseDir`. */
  source: string
  baseDir: string
  levels: LevelPlan[]
  topology: Topology
  calibration: RawChainConfig['calibration']
  evaluation: RawChainConfig['evaluation']
  output: RawChainConfig['output']
  report: RawChainConfig['report']
  verify: boolean
  /** Threads coding and decoding tensors; undefined means the cores available. */
  workers?: number
}

/** Reads and validates a chain.config.json; relative paths in it are relative to its folder. */
export async function loadChainConfig(file: string): Promise<ChainConfig> {
  const text = await readConfigText(file)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, { file })
  }
  return parseChainConfig(json, dirname(resolve(file)), file)
}

/** A config file's text; a missing file is not found, a folder in its place is bad input. */
export async function readConfigText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EISDIR') throw new ConfigError('a folder, not a config file', { file })
    throw new ConfigError('no config file here', { file }, 'not-found')
  })
}

export function parseChainConfig(json: unknown, baseDir: string, file?: string): ChainConfig {
  const parsed = chainConfigSchema.safeParse(json)
  if (!parsed.success) {
    const issue = deepestIssue(parsed.error.issues[0])
    const field = issue?.path.map(String).join('.') || undefined
    throw new ConfigError(issue?.message ?? 'invalid config', { ...(file && { file }), ...(field && { field }) })
  }
  const raw = parsed.data
  const context = (field: string) => ({ ...(file && { file }), field })
  const levels = levelPlans(raw, baseDir, context)
  const topology = raw.topology === undefined ? defaultTopology(levels.map((plan) => plan.level)) : parseTopologyIn(raw.topology, context('topology'))
  const inTopology = new Set(topologyLevels(topology))
  const kept = new Set(levels.map((plan) => plan.level))
  if (inTopology.size !== kept.size || [...kept].some((level) => !inTopology.has(level))) {
    throw new ConfigError(`topology ${formatTopology(topology)} must name exactly the levels kept (${[...kept].join(', ')})`, context('topology'))
  }
  return {
    name: raw.name ?? defaultName(raw.source),
    source: raw.source,
    baseDir,
    levels,
    topology,
    calibration: { ...raw.calibration, source: resolveTextSource(raw.calibration.source, baseDir) },
    evaluation: { ...raw.evaluation, source: resolveTextSource(raw.evaluation.source, baseDir) },
    output: { ...raw.output, dir: resolve(baseDir, raw.output.dir) },
    report: raw.report,
    verify: raw.verify,
    ...(raw.workers !== undefined && { workers: raw.workers }),
  }
}

/**
 * zod reports a failed union as one vague issue; the useful one is inside the branch that
 * matched the input's type (an array of levels or an object of level specs).
 */
function deepestIssue(issue: z.core.$ZodIssue | undefined): { path: PropertyKey[]; message: string } | undefined {
  if (issue?.code !== 'invalid_union') return issue
  const branch = issue.errors.find((issues) => issues[0]?.code !== 'invalid_type' || issues[0].path.length > 0)
  const inner = deepestIssue(branch?.[0])
  return inner ? { path: [...issue.path, ...inner.path], message: inner.message } : issue
}

function levelPlans(raw: RawChainConfig, baseDir: string, context: (field: string) => { file?: string; field: string }): LevelPlan[] {
  const entries: [string, LevelSpec][] = Array.isArray(raw.levels)
    ? raw.levels.map((level) => [String(level), {}])
    : Object.entries(raw.levels)
  const plans: LevelPlan[] = []
  for (const [name, spec] of entries) {
    const level = levelIn(name, context(`levels.${name}`))
    if (plans.some((plan) => plan.level === level)) throw new ConfigError(`level ${level} is listed twice`, context('levels'))
    const { from, format, quantize: overrides } = spec
    if (level === '16' && from !== undefined) throw new ConfigError('the 16-bit level is the source model; give it as "source"', context('levels.16.from'))
    plans.push({
      level,
      ...(from !== undefined && { from: resolve(baseDir, from) }),
      ...(format !== undefined && { format }),
      quantize: { ...QUANTIZE_DEFAULTS, ...raw.quantize, ...overrides },
    })
  }
  return plans
}

function levelIn(name: string, context: { file?: string; field: string }): Level {
  try {
    return parseLevel(name, context.field)
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.detail, context)
    throw error
  }
}

function parseTopologyIn(text: string, context: { file?: string; field: string }): Topology {
  try {
    return parseTopology(text)
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.detail, context)
    throw error
  }
}

function resolveTextSource(source: string, baseDir: string): string {
  return source === 'default' || isAbsolute(source) ? source : resolve(baseDir, source)
}

/** The last part of a path or hub id, without a revision: `org/Model-7B@main` -> `Model-7B`. */
function defaultName(source: string): string {
  return basename(source.replace(/@[^/]*$/, '')).replace(/[^\w.-]/g, '-') || 'model'
}

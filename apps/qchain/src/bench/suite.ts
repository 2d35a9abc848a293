import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCodecPool } from '@qchain/chain/node'
import { compressorRows, safetensorsReadRow, zipnnRows } from './baselines.js'
import { chainRows, poolStartRow, type ChainCase } from './chain-rows.js'
import { gptqRows } from './gptq-rows.js'
import { gptqLevels, int8Level } from './inputs.js'
import { rssRows } from './rss-rows.js'
import type { Measurement } from './measure.js'
import { syntheticModel, type SyntheticLayer } from './synthetic.js'
import { applyTargets } from './targets.js'

export const GROUPS = ['pool', 'isnet', 'babyllama', 'synthetic', 'gptq', 'rss'] as const
export type Group = (typeof GROUPS)[number]

export interface BenchOptions {
  only: readonly Group[]
  /** Each qchain row is measured once per worker count. */
  workers: readonly number[]
  /** Small inputs (seconds in all): the CI smoke run. */
  quick: boolean
  /** Timed runs per row (after one warm-up run). */
  runs: number
  /** Where quantized levels and synthetic models are kept between runs. */
  cacheDir: string
  fixturesDir: string
  onStatus?: (text: string) => void
}

const layer = (name: string, rows: number, cols: number): SyntheticLayer => ({ name: `model.layers.0.${name}.weight`, rows, cols })
/** A Llama-7B attention projection and MLP up projection; the quick run scales them down 16x. */
const LARGE = [layer('self_attn.q_proj', 4096, 4096), layer('mlp.up_proj', 11008, 4096)]
const SMALL = [layer('self_attn.q_proj', 256, 256), layer('mlp.up_proj', 688, 256)]

/** Runs the groups asked for and returns every row, targets marked. */
export async function runBench(options: BenchOptions): Promise<Measurement[]> {
  const dir = await mkdtemp(join(tmpdir(), 'qchain-bench-'))
  const rows: Measurement[] = []
  const status = options.onStatus ?? (() => {})
  try {
    for (const group of options.only) {
      status(`${group}...`)
      rows.push(...(await GROUP_RUNS[group](options, dir, status)))
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  applyTargets(rows)
  return rows
}

type GroupRun = (options: BenchOptions, dir: string, status: (text: string) => void) => Promise<Measurement[]>

const GROUP_RUNS: Record<Group, GroupRun> = {
  /** What starting the workers costs, apart from any codec. */
  async pool(options) {
    const rows: Measurement[] = []
    for (const workers of options.workers) if (workers > 1) rows.push(await poolStartRow(workers, options.runs))
    return rows
  },
  /** The QStore pair: int8 > 16|int8, beside general-purpose compressors on the same fp16 bytes. */
  async isnet(options, dir, status) {
    const fixture = join(options.fixturesDir, 'isnet-fp16')
    const [label, source] = options.quick ? ['small-fp16', await syntheticModel(join(options.cacheDir, 'small-fp16'), SMALL, 1)] : ['isnet-fp16', fixture]
    if (!options.quick && !existsSync(fixture)) return skipped(status, fixture)
    const int8 = await int8Level(source, options.cacheDir, label)
    const chain: ChainCase = { group: 'isnet', label, levels: [{ name: 'int8', parent: null, dir: int8 }, { name: '16', parent: 'int8', dir: source }], encodes: [1, 2], decodes: ['int8', '16'] }
    return [...(await chainCases(chain, options, dir, status)), ...(await baselineRows(label, 'isnet', source, options, true))]
  },
  /** A whole GPTQ chain of a small Llama: 4 > 8|4 > 16|8 (RTN levels in the quick run). */
  async babyllama(options, dir, status) {
    const source = join(options.fixturesDir, 'babyllama-105-fp16')
    if (!existsSync(source)) return skipped(status, source)
    const reference = options.quick ? undefined : { path: join(source, 'reference.json'), vocabSize: 105 }
    const label = `babyllama-105-${options.quick ? 'rtn' : 'gptq'}`
    const { eight, four } = await gptqLevels(source, options.cacheDir, 'babyllama-105', reference)
    const levels = [{ name: '4', parent: null, dir: four }, { name: '8', parent: '4', dir: eight }, { name: '16', parent: '8', dir: source }]
    const chain: ChainCase = { group: 'babyllama', label, levels, encodes: [1, 2, 3], decodes: ['4', '8', '16'] }
    return [...(await chainCases(chain, options, dir, status)), ...(await baselineRows(label, 'babyllama', source, options, false))]
  },
  /** Decode at scale: two Llama-7B-sized layers of Student-t weights, RTN 8-bit and 4-bit levels. */
  async synthetic(options, dir, status) {
    const label = options.quick ? 'synthetic-small' : 'synthetic-7b-layers'
    const source = await syntheticModel(join(options.cacheDir, label), options.quick ? SMALL : LARGE, 7)
    const { eight, four } = await gptqLevels(source, options.cacheDir, label)
    const levels = [{ name: '4', parent: null, dir: four }, { name: '8', parent: '4', dir: eight }, { name: '16', parent: '8', dir: source }]
    const chain: ChainCase = { group: 'synthetic', label: `${label} (rtn)`, levels, encodes: [3], decodes: ['8', '16'] }
    return [...(await chainCases(chain, options, dir, status)), ...(await baselineRows(label, 'synthetic', source, options, false))]
  },
  /** One layer's GPTQ, through packages/gptq's bench. */
  async gptq(options) {
    return options.quick ? gptqRows(128, 256, 1) : gptqRows(4096, 4096, options.runs)
  },
  /** A whole chain's peak memory on a 1.1B-parameter synthetic model, once per worker count. */
  async rss(options, dir, status) {
    return rssRows(options.quick, options.workers, dir, options.cacheDir, status)
  },
}

async function chainCases(chain: ChainCase, options: BenchOptions, dir: string, status: (text: string) => void): Promise<Measurement[]> {
  const rows: Measurement[] = []
  for (const workers of options.workers) {
    status(`${chain.label}: ${workers} worker(s)`)
    const pool = createCodecPool(workers)
    try {
      rows.push(...(await chainRows(chain, pool, options.runs, dir)))
    } finally {
      await pool.close()
    }
  }
  return rows
}

/** zstd-3 always (the decode target is relative to it); the full set of baselines where asked. */
async function baselineRows(label: string, group: string, source: string, options: BenchOptions, all: boolean): Promise<Measurement[]> {
  const file = new Uint8Array(await readFile(join(source, 'model.safetensors')))
  const rows = await compressorRows('zstd-3', label, group, file, options.runs)
  if (!all) return rows
  rows.push(...(await compressorRows('zstd-19', label, group, file, options.runs)), ...(await compressorRows('lz4', label, group, file, options.runs)))
  rows.push(...(await zipnnRows(label, group, source, options.runs)), await safetensorsReadRow(label, group, source, file, options.runs))
  return rows
}

function skipped(status: (text: string) => void, path: string): Measurement[] {
  status(`skipped: no fixture at ${path}`)
  return []
}

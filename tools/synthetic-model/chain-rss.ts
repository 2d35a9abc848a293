import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { readModelConfig } from '@qchain/model'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { generateModel } from './generate.js'
import { SHAPES, type ShapeName } from './shapes.js'

const USAGE = `usage: npx tsx tools/synthetic-model/chain-rss.ts [--shape tinyllama-1.1b|mini] [--model DIR] [--cache DIR] [--method rtn|gptq] [--workers N] [--out results.json]
Chains a synthetic Llama (generated once into --cache, default the temp folder, or --model) 16/8/4 with
qchain chain and prints the run's peak resident memory beside the 2 GiB target, as JSON.`

const CLI = resolve(import.meta.dirname, '../../apps/qchain/bin/qchain.js')
const TARGET_BYTES = 2 * 2 ** 30

/** The generated model is cached by shape and seed: generating 2.2 GB takes minutes. */
async function modelFolder(shape: ShapeName, cache: string): Promise<string> {
  const dir = join(cache, `qchain-synthetic-${shape}-seed0`)
  if (!existsSync(join(dir, 'config.json'))) {
    console.error(`generating ${shape} into ${dir}`)
    await rm(dir, { recursive: true, force: true })
    await generateModel(dir, shape, 0)
  }
  return dir
}

function run(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolvePromise(stdout) : reject(new Error(`qchain chain exited with ${code}`))))
  })
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { shape: { type: 'string', default: 'tinyllama-1.1b' }, model: { type: 'string' }, cache: { type: 'string' }, method: { type: 'string', default: 'rtn' }, workers: { type: 'string' }, out: { type: 'string' } } })
  const shape = values.shape as string
  const workers = values.workers === undefined ? undefined : Number(values.workers)
  if (!(shape in SHAPES) || !['rtn', 'gptq'].includes(values.method as string) || (workers !== undefined && !(Number.isInteger(workers) && workers >= 1))) {
    console.error(USAGE)
    process.exit(2)
  }
  const model = values.model ? resolve(values.model) : await modelFolder(shape as ShapeName, resolve(values.cache ?? tmpdir()))
  const work = await mkdtemp(join(tmpdir(), 'qchain-rss-'))
  try {
    const config = {
      name: 'synthetic',
      source: model,
      levels: [16, 8, 4],
      quantize: { method: values.method },
      // Few short windows of random token ids (the model has no tokenizer): the measurement is about memory.
      calibration: { source: join(work, 'calibration.json'), samples: 4, seqLen: 128 },
      evaluation: { enabled: false },
      report: { baselines: false },
      ...(workers !== undefined && { workers }),
      output: { dir: join(work, 'out') },
    }
    await mkdir(work, { recursive: true })
    await writeFile(join(work, 'calibration.json'), JSON.stringify(randomTokens((await readModelConfig(model)).vocabSize, 4, 128)))
    await writeFile(join(work, 'chain.config.json'), JSON.stringify(config))
    const started = performance.now()
    const report = JSON.parse(await run(['chain', '--config', join(work, 'chain.config.json'), '--json'])) as {
      containerBytes: number
      levels: { level: string; rawBytes: number }[]
      times: Record<string, number>
      peakRssBytes: number
      peakRssAfter: Record<string, number>
    }
    const raw = report.levels.reduce((sum, level) => sum + level.rawBytes, 0)
    const result = {
      name: `chain peak RSS (${shape}, ${values.method}, ${workers ?? 'default'} workers)`,
      parameters: await parameterCount(model),
      inputBytes: raw,
      outputBytes: report.containerBytes,
      ratio: report.containerBytes / raw,
      seconds: (performance.now() - started) / 1000,
      stages: report.times,
      peakRssBytes: report.peakRssBytes,
      peakRssAfterStage: report.peakRssAfter,
      targetBytes: TARGET_BYTES,
      pass: report.peakRssBytes < TARGET_BYTES,
    }
    console.log(JSON.stringify(result, null, 2))
    if (values.out) await writeFile(values.out, `${JSON.stringify([result], null, 2)}\n`)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

function randomTokens(vocabSize: number, count: number, length: number): number[][] {
  let state = 1
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % vocabSize
  return Array.from({ length: count }, () => Array.from({ length }, next))
}

async function parameterCount(model: string): Promise<number> {
  const folder = await openSafetensorsFolder(model)
  try {
    return [...folder.tensors.values()].reduce((sum, { info }) => sum + info.shape.reduce((a, b) => a * b, 1), 0)
  } finally {
    await folder.close()
  }
}

await main()

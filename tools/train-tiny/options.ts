import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ArchitectureName } from './architecture.js'

export interface TrainOptions {
  architecture: ArchitectureName
  steps: number
  batch: number
  seqLen: number
  peakLr: number
  warmup: number
  seed: number
  out: string
  checkpoint: string
  checkpointEvery: number
  evalEvery: number
  evalSamples: number
  resume: boolean
}

export const USAGE = `usage: npx tsx tools/train-tiny/train.ts [options]
  --smoke               tiny architecture, batch 2 x 64 tokens, output in the temp folder (seconds)
  --steps N             optimizer steps (default 1000)
  --batch N             sequences per step (default 2)
  --seq-len N           tokens per sequence (default 512, the length qchain evaluates)
  --lr X                peak learning rate (default 0.003), cosine decay to a tenth of it
  --warmup N            linear warmup steps (default 50)
  --seed N              weight init and batch sampling (default 0)
  --out DIR             the model folder (default models/tiny)
  --checkpoint FILE     F32 weights and Adam state (default <tmp>/train-tiny-checkpoint.safetensors)
  --checkpoint-every N  (default 50)   --eval-every N (default 100)   --eval-samples N (default 16)
  --resume              continue from the checkpoint file`

const OPTION_TYPES = {
  smoke: { type: 'boolean', default: false },
  steps: { type: 'string' },
  batch: { type: 'string' },
  'seq-len': { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-samples': { type: 'string' },
  resume: { type: 'boolean', default: false },
} as const

/** Reads the command line; --smoke changes the defaults, explicit options still win. */
export function parseOptions(argv: string[]): TrainOptions {
  let values: ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: typeof OPTION_TYPES }>>['values']
  try {
    values = parseArgs({ args: argv, strict: true, options: OPTION_TYPES }).values
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`)
  }
  const smoke = values.smoke === true
  const number = (name: keyof typeof values, fallback: number, integer = true) => {
    const raw = values[name]
    if (raw === undefined) return fallback
    const parsed = Number(raw)
    if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed)) || parsed < 0) throw new Error(`--${name} must be a ${integer ? 'whole ' : ''}number >= 0, not ${String(raw)}\n${USAGE}`)
    return parsed
  }
  const scratch = (name: string) => join(tmpdir(), smoke ? `train-tiny-smoke-${name}` : `train-tiny-${name}`)
  return {
    architecture: smoke ? 'smoke' : 'default',
    steps: number('steps', smoke ? 3 : 1000),
    batch: number('batch', 2),
    seqLen: number('seq-len', smoke ? 64 : 512),
    peakLr: number('lr', smoke ? 0.01 : 0.003, false),
    warmup: number('warmup', smoke ? 0 : 50),
    seed: number('seed', 0),
    out: values.out ?? (smoke ? scratch('model') : 'models/tiny'),
    checkpoint: values.checkpoint ?? scratch('checkpoint.safetensors'),
    checkpointEvery: number('checkpoint-every', 50),
    evalEvery: number('eval-every', 100),
    evalSamples: number('eval-samples', smoke ? 4 : 16),
    resume: values.resume === true,
  }
}

import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { measurement, type Measurement } from './measure.js'

/** The reference PyTorch CPU figures for one 4096 x 4096 layer on 4096 tokens (docs/BENCHMARKS.md). */
export const GPTQ_REFERENCE_SECONDS = 0.8 + 10.9

// packages/gptq's own bench, found from this file in the monorepo (src/bench or dist/bench).
const BENCH = fileURLToPath(new URL('../../../../packages/gptq/bench/gptq-layer.bench.ts', import.meta.url))

interface GptqBenchResult {
  size: number
  tokens: number
  results: { name: string; seconds_median: number; runs: number }[]
}

/**
 * GPTQ of one n x n layer (4-bit g128 sym) by running packages/gptq's bench, which times the
 * Hessian and the quantization apart; one row each, and their sum. Empty outside the monorepo.
 */
export async function gptqRows(size: number, tokens: number, reps: number): Promise<Measurement[]> {
  if (!existsSync(BENCH)) return []
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', BENCH, '--size', String(size), '--tokens', String(tokens), '--reps', String(reps)], {
    cwd: dirname(dirname(BENCH)),
    maxBuffer: 16 * 1024 * 1024,
  })
  const result = JSON.parse(stdout.trim().split('\n').at(-1) as string) as GptqBenchResult
  const seconds = (name: string) => result.results.find((row) => row.name === name)?.seconds_median ?? Number.NaN
  // fp32 weights in, 4-bit codes out.
  const sizes = { inputBytes: 4 * size * size, outputBytes: (size * size) / 2 }
  const row = (name: string, value: number) => measurement({ method: 'gptq', operation: 'quantize', name: `gptq ${size}x${size} ${tokens} tokens: ${name}`, group: 'gptq', runs: reps, seconds: value, ...sizes })
  return [row('hessian', seconds('hessian')), row('quantize', seconds('quantize')), row('total', seconds('hessian') + seconds('quantize'))]
}

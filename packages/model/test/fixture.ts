import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The shared real-weight fixtures (outside the repository; absent in a user's clone). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures')

export const BABYLLAMA_FP16 = resolve(FIXTURES, 'babyllama-105-fp16')
export const BABYLLAMA_BF16 = resolve(FIXTURES, 'babyllama-105-bf16')

export const HAS_BABYLLAMA = existsSync(BABYLLAMA_FP16) && existsSync(BABYLLAMA_BF16)
export const MISSING_BABYLLAMA = `fixture ${BABYLLAMA_FP16} (and -bf16) is absent: skipping the real-weight tests`

export interface BabyllamaReference {
  calibration: number[][]
  evaluation: number[][]
  golden: { tokens: number[]; logits_last8: number[][] }
  reference_nll_nats_per_token: { float16: number; bfloat16: number }
}

export function readReference(folder: string): BabyllamaReference {
  return JSON.parse(readFileSync(resolve(folder, 'reference.json'), 'utf8')) as BabyllamaReference
}

import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fixturePath, hasFixture, MISSING_FIXTURES_MESSAGE } from '@qchain/fixtures'

export const BABYLLAMA_FP16 = fixturePath('babyllama-105-fp16')
export const BABYLLAMA_BF16 = fixturePath('babyllama-105-bf16')

export const HAS_BABYLLAMA = hasFixture('babyllama-105-fp16') && hasFixture('babyllama-105-bf16')
export const MISSING_BABYLLAMA = MISSING_FIXTURES_MESSAGE

export interface BabyllamaReference {
  calibration: number[][]
  evaluation: number[][]
  golden: { tokens: number[]; logits_last8: number[][] }
  reference_nll_nats_per_token: { float16: number; bfloat16: number }
}

export function readReference(folder: string): BabyllamaReference {
  return JSON.parse(readFileSync(resolve(folder, 'reference.json'), 'utf8')) as BabyllamaReference
}

import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadSequences } from '@qchain/calibration'
import { fixturePath } from '@qchain/fixtures'
import { loadModel, perplexity, readModelConfig } from '@qchain/model'
import { openCheckpoint } from '../src/index.js'

export const BABYLLAMA = fixturePath('babyllama-105-fp16')
const REFERENCE = { path: fixturePath('babyllama-105-fp16', 'reference.json') }

export function referenceTokens(split: 'calibration' | 'evaluation', samples = 32): Promise<number[][]> {
  return loadSequences(REFERENCE, { split, samples, seqLen: 256, seed: 0, vocabSize: 105 })
}

/** Mean evaluation NLL (nats/token) of a quantized checkpoint folder. */
export async function checkpointNll(dir: string): Promise<number> {
  const checkpoint = await openCheckpoint(dir)
  try {
    const model = await loadModel(checkpoint.dequantizedView(), await readModelConfig(dir))
    return perplexity(model, await referenceTokens('evaluation')).meanNll
  } finally {
    await checkpoint.close()
  }
}

/** sha256 of every file in a folder, by name. */
export async function folderHashes(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const name of (await readdir(dir)).sort()) hashes[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex')
  return hashes
}

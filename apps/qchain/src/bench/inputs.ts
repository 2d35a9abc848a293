import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadSequences } from '@qchain/calibration'
import { quantizeModel, type LevelRequest } from '@qchain/quantize'

/** Quantized level folders are kept in the cache between runs: quantizing is not what the bench measures. */
async function cachedLevels(source: string, outputs: { request: LevelRequest; target: string }[], calibration?: number[][]): Promise<void> {
  const missing = outputs.filter(({ target }) => !existsSync(target))
  // quantizeModel writes each folder atomically, so one that exists is complete.
  if (missing.length > 0) await quantizeModel(source, missing, { ...(calibration && { calibration }) })
}

/** The LLM.int8 rowwise level of a 16-bit folder (the quantizer of @qchain/gptq). */
export async function int8Level(source: string, cache: string, label: string): Promise<string> {
  const target = join(cache, `${label}-int8`)
  await cachedLevels(source, [{ request: { method: 'int8-rowwise' }, target }])
  return target
}

/**
 * GPTQ-8 and GPTQ-4 (g128, symmetric, gptq format) of a 16-bit folder: GPTQ proper when
 * calibration text is given (a `reference.json` of token ids), else round to nearest.
 */
export async function gptqLevels(source: string, cache: string, label: string, reference?: { path: string; vocabSize: number }): Promise<{ eight: string; four: string }> {
  const method = reference ? 'gptq' : 'rtn'
  const level = (bits: number) => ({ request: { method, options: { bits, groupSize: 128, sym: true }, format: 'gptq' } as const, target: join(cache, `${label}-${method}-${bits}`) })
  const calibration = reference ? await loadSequences({ path: reference.path }, { split: 'calibration', samples: 8, seqLen: 128, seed: 0, vocabSize: reference.vocabSize }) : undefined
  await cachedLevels(source, [level(8), level(4)], calibration)
  return { eight: level(8).target, four: level(4).target }
}

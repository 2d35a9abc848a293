import { tf } from '@qchain/tensor/tfjs'
import { describe, expect, it } from 'vitest'
import { createModel, disposeModel, ModelError, perplexity } from '../src/index.js'
import { BABYLLAMA_BF16, BABYLLAMA_FP16, HAS_BABYLLAMA, MISSING_BABYLLAMA, readReference } from './fixture.js'

const reference = HAS_BABYLLAMA ? readReference(BABYLLAMA_FP16) : undefined

describe.skipIf(!HAS_BABYLLAMA)(`perplexity on babyllama-105${HAS_BABYLLAMA ? '' : ` (${MISSING_BABYLLAMA})`}`, () => {
  it.each([
    ['fp16', BABYLLAMA_FP16, 'float16'],
    ['bf16', BABYLLAMA_BF16, 'bfloat16'],
  ] as const)('matches the reference mean NLL of the %s weights within 1e-3', async (label, folder, key) => {
    const model = await createModel(folder)
    try {
      const started = performance.now()
      const result = perplexity(model, reference!.evaluation)
      const ms = performance.now() - started
      console.info(`${label}: mean NLL ${result.meanNll.toFixed(5)} nats/token (reference ${reference!.reference_nll_nats_per_token[key].toFixed(5)}), ${result.predictions} predictions in ${ms.toFixed(0)} ms`)
      expect(result.predictions).toBe(8 * 255)
      expect(Math.abs(result.meanNll - reference!.reference_nll_nats_per_token[key])).toBeLessThan(1e-3)
      expect(result.perplexity).toBeCloseTo(Math.exp(result.meanNll), 12)
    } finally {
      disposeModel(model)
    }
    expect(tf.memory().numTensors).toBe(0)
  })

  it('gives the same result whatever the batch size, and rejects sequences too short to score', async () => {
    const model = await createModel(BABYLLAMA_FP16)
    try {
      const sequences = [...reference!.evaluation.slice(0, 3).map((sequence) => sequence.slice(0, 40)), reference!.evaluation[3]!.slice(0, 20)]
      const together = perplexity(model, sequences, { batchSize: 8 })
      const oneByOne = perplexity(model, sequences, { batchSize: 1 })
      expect(together.predictions).toBe(3 * 39 + 19)
      expect(oneByOne.meanNll).toBeCloseTo(together.meanNll, 5)
      expect(() => perplexity(model, [[1, 2], [3]])).toThrow(ModelError)
      expect(() => perplexity(model, [])).toThrow(ModelError)
    } finally {
      disposeModel(model)
    }
  })
})

import { tf } from '@qchain/tensor/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createModel, disposeModel, forward, generate, ModelError, sampleToken, seededRandom, type LlamaModel } from '../src/index.js'
import { BABYLLAMA_FP16, HAS_BABYLLAMA, MISSING_BABYLLAMA, readReference } from './fixture.js'

describe('sampling', () => {
  it('repeats a seeded random sequence', () => {
    const first = seededRandom(42)
    const second = seededRandom(42)
    const draws = Array.from({ length: 5 }, () => first())
    expect(Array.from({ length: 5 }, () => second())).toEqual(draws)
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true)
    expect(seededRandom(43)()).not.toBe(draws[0])
  })

  it('takes the most likely token at temperature 0 and follows the softmax otherwise', () => {
    const logits = new Float32Array([0, Math.log(3), 2, 2])
    expect(sampleToken(logits, 0, () => 0.5)).toBe(2)
    // softmax at temperature 1 over [1, 3, e^2, e^2]: the cumulative share of token 0 is 1 / (4 + 2e^2)
    const total = 4 + 2 * Math.exp(2)
    expect(sampleToken(logits, 1, () => 0.5 / total)).toBe(0)
    expect(sampleToken(logits, 1, () => 2 / total)).toBe(1)
    expect(sampleToken(logits, 1, () => 0.999)).toBe(3)
  })
})

describe.skipIf(!HAS_BABYLLAMA)(`generation with babyllama-105 fp16${HAS_BABYLLAMA ? '' : ` (${MISSING_BABYLLAMA})`}`, () => {
  const prompt = HAS_BABYLLAMA ? readReference(BABYLLAMA_FP16).golden.tokens.slice(0, 16) : []
  let model: LlamaModel
  beforeAll(async () => {
    model = await createModel(BABYLLAMA_FP16)
  })
  afterAll(() => disposeModel(model))

  it('is deterministic when greedy, and each token is the argmax of a full forward pass', () => {
    const tensorsBefore = tf.memory().numTensors
    const tokens = generate(model, prompt, { maxNewTokens: 12 })
    expect(generate(model, prompt, { maxNewTokens: 12 })).toEqual(tokens)
    expect(tf.memory().numTensors).toBe(tensorsBefore)
    // the cached incremental steps agree with recomputing the whole sequence
    const logits = forward(model, [[...prompt, ...tokens.slice(0, -1)]])
    const argmaxes = tf.tidy(() => Array.from(tf.argMax(tf.slice(logits, [0, prompt.length - 1, 0], [1, tokens.length, -1]), -1).dataSync()))
    logits.dispose()
    expect(argmaxes).toEqual(tokens)
  })

  it('samples reproducibly for a seed and differently for another', () => {
    const options = { maxNewTokens: 24, temperature: 1, seed: 7 }
    const sampled = generate(model, prompt, options)
    expect(generate(model, prompt, options)).toEqual(sampled)
    expect(generate(model, prompt, { ...options, seed: 8 })).not.toEqual(sampled)
    expect(sampled.every((id) => Number.isInteger(id) && id >= 0 && id < model.config.vocabSize)).toBe(true)
  })

  it('stops at a stop token and rejects bad options and prompts', () => {
    const [first] = generate(model, prompt, { maxNewTokens: 1 })
    expect(generate(model, prompt, { maxNewTokens: 10, stopTokens: [first!] })).toEqual([first])
    expect(() => generate(model, prompt, { maxNewTokens: -1 })).toThrow(ModelError)
    expect(() => generate(model, prompt, { maxNewTokens: 1, temperature: -1 })).toThrow(ModelError)
    expect(() => generate(model, [1, 999], { maxNewTokens: 1 })).toThrow(/token id 999 at position 1/)
    expect(() => generate(model, [], { maxNewTokens: 1 })).toThrow(ModelError)
  })
})

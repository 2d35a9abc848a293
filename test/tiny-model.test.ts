import { existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadTokenizer } from '@qchain/calibration'
import { createModel, disposeModel, generate, readModelConfig, seededRandom } from '@qchain/model'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { createAdamState, DEFAULT_ADAMW } from '../tools/train-tiny/adamw.js'
import { ARCHITECTURES, modelConfig } from '../tools/train-tiny/architecture.js'
import { createTrainableModel, initialValues } from '../tools/train-tiny/parameters.js'
import { trainStep } from '../tools/train-tiny/train-step.js'
import { initTrainingBackend } from '../tools/train-tiny/training-backend.js'

const TINY = fileURLToPath(new URL('../models/tiny/', import.meta.url))
const committed = existsSync(join(TINY, 'model.safetensors'))

describe.skipIf(!committed)('the committed tiny model (models/tiny)', () => {
  it('is a bf16 LlamaForCausalLM whose linear layers read multiples of 128 features, under 8 MB', async () => {
    const config = await readModelConfig(TINY)
    expect(config).toMatchObject({
      architecture: 'LlamaForCausalLM',
      modelType: 'llama',
      hiddenSize: 256,
      intermediateSize: 768,
      numLayers: 4,
      numHeads: 8,
      numKvHeads: 4,
      headDim: 32,
      vocabSize: 128,
      maxPositionEmbeddings: 512,
      torchDtype: 'bfloat16',
    })
    const folder = await openSafetensorsFolder(TINY)
    try {
      expect([...folder.tensors.values()].every(({ info }) => info.dtype === 'BF16')).toBe(true)
      const linears = [...folder.tensors.values()].filter(({ info }) => /_proj\.weight$/.test(info.name))
      expect(linears).toHaveLength(4 * 7)
      expect(linears.every(({ info }) => (info.shape[1] as number) % 128 === 0)).toBe(true)
    } finally {
      await folder.close()
    }
    const sizes = await Promise.all((await readdir(TINY)).map(async (name) => (await stat(join(TINY, name))).size))
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8 * 1024 * 1024)
  })

  it('has a tokenizer.json that round-trips English text', async () => {
    const tokenizer = await loadTokenizer(TINY)
    const text = 'The CSSTA was signed on June 21, 2013 -- in Shanghai (China).'
    const ids = tokenizer.encode(text)
    expect(ids[0]).toBe(1) // <s>
    expect(ids).not.toContain(0) // no <unk>
    expect(tokenizer.decode(ids.slice(1))).toBe(text)
  })

  it('continues a prompt greedily with printable text', async () => {
    const model = await createModel(TINY)
    try {
      const tokenizer = await loadTokenizer(TINY)
      const prompt = tokenizer.encode('The history of the')
      const continuation = tokenizer.decode(generate(model, prompt, { maxNewTokens: 60 }))
      expect(continuation.length).toBeGreaterThan(20)
      expect(continuation).toMatch(/^[\p{L}\p{N}\p{P}\p{S} ]+$/u)
      expect(continuation).not.toContain('<unk>')
    } finally {
      disposeModel(model)
    }
  })
})

describe('tools/train-tiny', () => {
  it('lowers the loss in its first steps on a small config', async () => {
    await initTrainingBackend()
    const config = modelConfig(ARCHITECTURES.smoke)
    const trainable = createTrainableModel(config, initialValues(config, 0))
    const adam = createAdamState(trainable.variables)
    // Text-like batches: a few repeated "words" of character ids, so there is something to learn.
    const random = seededRandom(7)
    const words = [[10, 11, 12], [13, 14], [15, 16, 17, 18], [19, 20]]
    const batch = Array.from({ length: 2 }, () => {
      const sequence = [1]
      while (sequence.length < 64) sequence.push(3, ...(words[Math.floor(random() * words.length)] as number[]))
      return sequence.slice(0, 64)
    })
    const losses = Array.from({ length: 6 }, () => trainStep(trainable, adam, batch, 0.01, DEFAULT_ADAMW).loss)
    expect(losses[0]).toBeCloseTo(Math.log(config.vocabSize), 0)
    expect(losses[5]).toBeLessThan((losses[0] as number) - 1)
    for (const variable of trainable.variables.values()) variable.dispose()
    for (const { m, v } of adam.moments.values()) m.dispose(), v.dispose()
  })
})

import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { ModelError, parseModelConfig, readModelConfig } from '../src/index.js'

const LLAMA = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 128256,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
}

function problemOf(json: unknown): ModelError {
  try {
    parseModelConfig(json, 'config.json')
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError)
    return error as ModelError
  }
  throw new Error('expected the config to be refused')
}

describe('parseModelConfig', () => {
  it('normalizes a Llama-3.1 style config, deriving head_dim and reading llama3 rope scaling', () => {
    const config = parseModelConfig(LLAMA, 'config.json')
    expect(config).toMatchObject({ modelType: 'llama', headDim: 128, numKvHeads: 8, ropeTheta: 500000, tieWordEmbeddings: false, attentionBias: false })
    expect(config.ropeScaling).toEqual({ type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 })
  })

  it('gives qwen2 its q/k/v bias and defaults kv heads to the head count', () => {
    const { num_key_value_heads: _, ...rest } = LLAMA
    const config = parseModelConfig({ ...rest, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', rope_scaling: null }, 'config.json')
    expect(config).toMatchObject({ attentionBias: true, numKvHeads: 32, ropeScaling: undefined })
  })

  it('lists the supported architectures when the model type is unknown', () => {
    const error = problemOf({ ...LLAMA, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] })
    expect(error.problem).toBe('unsupported-architecture')
    expect(error.message).toMatch(/llama \(LlamaForCausalLM\), mistral \(MistralForCausalLM\), qwen2 \(Qwen2ForCausalLM\)/)
    expect(problemOf({ ...LLAMA, architectures: ['LlamaForSequenceClassification'] }).context.field).toBe('architectures')
  })

  it('names an unknown architecture even when its config lacks the Llama fields', () => {
    const error = problemOf({ model_type: 'bert', architectures: ['BertModel'], hidden_size: 768 })
    expect(error.problem).toBe('unsupported-architecture')
    expect(error.context.field).toBe('model_type')
  })

  it('names the field that is wrong', () => {
    expect(problemOf({ ...LLAMA, hidden_size: -1 }).context).toMatchObject({ file: 'config.json', field: 'hidden_size' })
    expect(problemOf({ ...LLAMA, num_key_value_heads: 5 }).context.field).toBe('num_key_value_heads')
    expect(problemOf({ ...LLAMA, hidden_size: 4095, head_dim: undefined }).context.field).toBe('head_dim')
    expect(problemOf({ ...LLAMA, rope_scaling: { rope_type: 'yarn', factor: 4 } }).problem).toBe('unsupported-architecture')
    expect(problemOf({ ...LLAMA, rope_scaling: { rope_type: 'llama3', factor: 8 } }).context.field).toBe('rope_scaling')
    expect(problemOf('not an object').problem).toBe('invalid-config')
  })
})

describe.skipIf(!hasFixture('babyllama-105-fp16'))('readModelConfig on the fixture', () => {
  it('reads babyllama-105', async () => {
    const config = await readModelConfig(fixturePath('babyllama-105-fp16'))
    expect(config).toMatchObject({ hiddenSize: 128, intermediateSize: 352, numLayers: 5, numHeads: 8, numKvHeads: 4, headDim: 16, vocabSize: 105, tieWordEmbeddings: true, torchDtype: 'float16' })
    expect(JSON.parse(await readFile(fixturePath('babyllama-105-fp16', 'config.json'), 'utf8')).model_type).toBe(config.modelType)
  })

  it('says when the folder has no config.json', async () => {
    await expect(readModelConfig(fixturePath('isnet-fp16'))).rejects.toMatchObject({ problem: 'not-found' })
  })
})

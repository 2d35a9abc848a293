import { tf } from '@qchain/tensor/tfjs'
import { ModelError } from '../errors.js'
import { createKvCaches, disposeKvCaches, type BlockKvCache } from './kv-cache.js'
import { finalLogits } from './logits.js'
import { runBlocks, type LlamaModel } from './model.js'
import { sampleToken, seededRandom } from './sampling.js'
import { embed } from './tokens.js'

export interface GenerateOptions {
  maxNewTokens: number
  /** 0 (the default) picks the most likely token; higher values sample more freely. */
  temperature?: number
  /** Seeds the sampler, so equal options give equal tokens. */
  seed?: number
  /** Generation ends after emitting any of these (e.g. the end-of-sequence id). */
  stopTokens?: readonly number[]
}

/** Continues a prompt; returns only the new token ids. Keys and values are cached, so each step runs one token. */
export function generate(model: LlamaModel, prompt: readonly number[], options: GenerateOptions): number[] {
  const { maxNewTokens, temperature = 0, seed = 0, stopTokens = [] } = options
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new ModelError('invalid-input', `maxNewTokens must be a whole number >= 0, not ${maxNewTokens}`, { field: 'maxNewTokens' })
  }
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw new ModelError('invalid-input', `temperature must be a finite number >= 0, not ${temperature}`, { field: 'temperature' })
  }
  const random = seededRandom(seed)
  const caches = createKvCaches(model.config.numLayers)
  const generated: number[] = []
  try {
    let input = prompt
    while (generated.length < maxNewTokens) {
      const token = sampleToken(nextTokenLogits(model, input, caches), temperature, random)
      generated.push(token)
      if (stopTokens.includes(token)) break
      input = [token]
    }
  } finally {
    disposeKvCaches(caches)
  }
  return generated
}

/** Feeds `tokens` after the cached positions and returns the logits that predict the next token. */
function nextTokenLogits(model: LlamaModel, tokens: readonly number[], caches: readonly BlockKvCache[]): Float32Array {
  const embedded = embed([tokens], model.outer.embedding, model.config)
  const hidden = runBlocks(model, embedded, { caches })
  const logits = tf.tidy(() => finalLogits(tf.slice(hidden, [0, tokens.length - 1, 0], [1, 1, -1]), model.outer, model.config))
  tf.dispose([embedded, hidden])
  const values = logits.dataSync() as Float32Array
  logits.dispose()
  return values
}

import { tf } from '@qchain/tensor/tfjs'
import type { ModelConfig } from '../config.js'
import { appendToCache, cachedPositions, type BlockKvCache } from './kv-cache.js'
import { linear } from './layers.js'
import { applyRotary, rotaryTables } from './rope.js'
import type { BlockWeights, LinearInputGroup } from './weights.js'

export interface AttentionInput {
  /** RMS-normed hidden states, [batch * seq, hidden]. */
  normed: tf.Tensor2D
  batch: number
  seq: number
  cache: BlockKvCache | undefined
  onLinearInput: ((group: LinearInputGroup, input: tf.Tensor2D) => void) | undefined
}

/**
 * Causal grouped-query self-attention including o_proj, [batch * seq, hidden] in and out.
 * Query head h reads key/value head floor(h / group), group = numHeads / numKvHeads.
 */
export function selfAttention({ normed, batch, seq, cache, onLinearInput }: AttentionInput, { linears }: BlockWeights, config: ModelConfig): tf.Tensor2D {
  const { numHeads, numKvHeads, headDim } = config
  const group = numHeads / numKvHeads
  const past = cachedPositions(cache)
  const rotary = rotaryTables(config, past, seq)
  const heads = (x: tf.Tensor2D, count: number) => tf.transpose(tf.reshape(x, [batch, seq, count, headDim]), [0, 2, 1, 3]) as tf.Tensor4D
  const queries = applyRotary(heads(linear(normed, linears.q_proj), numHeads), rotary)
  let keys = applyRotary(heads(linear(normed, linears.k_proj), numKvHeads), rotary)
  let values = heads(linear(normed, linears.v_proj), numKvHeads)
  if (cache) ({ keys, values } = appendToCache(cache, keys, values))
  const total = past + seq

  // Each (sequence, kv head) pair is one 2-D problem: its `group` query heads stacked as rows
  // attend to its keys and values, so nothing is repeated and every product stays 2-D:
  // the wasm backend runs batched matmuls on a slow generic path, 2-D ones with XNNPACK.
  const pairs = batch * numKvHeads
  const queryGroups = tf.unstack(tf.reshape(queries, [pairs, group * seq, headDim]))
  const keyColumns = tf.unstack(tf.transpose(tf.reshape(keys, [pairs, total, headDim]), [0, 2, 1]))
  const valueRows = tf.unstack(tf.reshape(values, [pairs, total, headDim]))
  const mask = causalMask(past, seq)
  const scale = 1 / Math.sqrt(headDim)
  const contexts = queryGroups.map((queryGroup, pair) => {
    const scores = tf.reshape(tf.mul(tf.matMul(queryGroup, keyColumns[pair] as tf.Tensor), scale), [group, seq, total])
    const weights = tf.reshape(tf.softmax(tf.add(scores, mask)), [group * seq, total])
    return tf.matMul(weights, valueRows[pair] as tf.Tensor)
  })
  const context = tf.stack(contexts)
  const merged = tf.reshape(tf.transpose(tf.reshape(context, [batch, numHeads, seq, headDim]), [0, 2, 1, 3]), [batch * seq, numHeads * headDim]) as tf.Tensor2D
  onLinearInput?.('o', merged)
  return linear(merged, linears.o_proj)
}

/** [seq, past + seq]: 0 where query past + i may see key j (j <= past + i), -Infinity elsewhere. */
function causalMask(past: number, seq: number): tf.Tensor2D {
  const total = past + seq
  const mask = new Float32Array(seq * total)
  for (let i = 0; i < seq; i++) mask.fill(-Infinity, i * total + past + i + 1, (i + 1) * total)
  return tf.tensor2d(mask, [seq, total])
}

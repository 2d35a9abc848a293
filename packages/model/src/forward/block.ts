import { tf } from '@qchain/tensor/tfjs'
import type { ModelConfig } from '../config.js'
import { selfAttention } from './attention.js'
import type { BlockKvCache } from './kv-cache.js'
import { linear, rmsNorm, silu } from './layers.js'
import type { BlockWeights, LinearInputGroup } from './weights.js'

export interface RunBlockOptions {
  /**
   * Receives the [batch * seq, in] activations each group of linear layers reads (see
   * LINEAR_INPUT_GROUPS), e.g. to accumulate GPTQ Hessians. It runs synchronously inside
   * tf.tidy: the tensor is disposed afterwards, and tensors the hook creates are disposed too
   * unless it passes them to tf.keep.
   */
  onLinearInput?: (group: LinearInputGroup, input: tf.Tensor2D) => void
  /** Keys and values of earlier positions; new positions continue after them and are appended. */
  cache?: BlockKvCache
}

/**
 * One pre-norm transformer block, [batch, seq, hidden] in and out:
 * h = x + attention(norm(x)), out = h + down(silu(gate(norm(h))) * up(norm(h))).
 * The input stays owned by the caller; the result is a new tensor.
 */
export function runBlock(hidden: tf.Tensor3D, weights: BlockWeights, config: ModelConfig, options: RunBlockOptions = {}): tf.Tensor3D {
  const { onLinearInput, cache } = options
  const [batch, seq, width] = hidden.shape
  return tf.tidy(() => {
    const rows = tf.reshape(hidden, [batch * seq, width]) as tf.Tensor2D
    const normed = rmsNorm(rows, weights.inputNorm, config.rmsNormEps)
    onLinearInput?.('qkv', normed)
    const attended = tf.add<tf.Tensor2D>(rows, selfAttention({ normed, batch, seq, cache, onLinearInput }, weights, config))
    const mlpInput = rmsNorm(attended, weights.postAttentionNorm, config.rmsNormEps)
    onLinearInput?.('gateUp', mlpInput)
    const { gate_proj, up_proj, down_proj } = weights.linears
    const activated = tf.mul(silu(linear(mlpInput, gate_proj)), linear(mlpInput, up_proj)) as tf.Tensor2D
    onLinearInput?.('down', activated)
    return tf.reshape(tf.add(attended, linear(activated, down_proj)), [batch, seq, width])
  })
}

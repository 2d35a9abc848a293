import type { tf } from '@qchain/tensor/tfjs'

/** The seven linear layers of a Llama-family block, by their Hugging Face names. */
export const LINEAR_NAMES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const
export type LinearName = (typeof LINEAR_NAMES)[number]

const LINEAR_MODULE: Record<LinearName, 'self_attn' | 'mlp'> = {
  q_proj: 'self_attn',
  k_proj: 'self_attn',
  v_proj: 'self_attn',
  o_proj: 'self_attn',
  gate_proj: 'mlp',
  up_proj: 'mlp',
  down_proj: 'mlp',
}

/**
 * Linear layers that read the same activations, keyed by a name for that input: a GPTQ
 * Hessian accumulated for a group serves every layer in it.
 */
export const LINEAR_INPUT_GROUPS = {
  qkv: ['q_proj', 'k_proj', 'v_proj'],
  o: ['o_proj'],
  gateUp: ['gate_proj', 'up_proj'],
  down: ['down_proj'],
} as const satisfies Record<string, readonly LinearName[]>
export type LinearInputGroup = keyof typeof LINEAR_INPUT_GROUPS

/** A linear layer y = x W^T + b, with W stored [out, in] as in the checkpoint. */
export interface LinearWeights {
  weight: tf.Tensor2D
  bias?: tf.Tensor1D
}

/** One transformer block's weights in float32; swap entries of `linears` to run quantized layers. */
export interface BlockWeights {
  inputNorm: tf.Tensor1D
  postAttentionNorm: tf.Tensor1D
  linears: Record<LinearName, LinearWeights>
}

/** The weights outside the blocks: token embeddings, final norm and output projection. */
export interface OuterWeights {
  embedding: tf.Tensor2D
  finalNorm: tf.Tensor1D
  /** [vocab, hidden]; the embedding tensor itself when the model ties them. */
  lmHead: tf.Tensor2D
}

export function blockTensorName(layer: number, suffix: string): string {
  return `model.layers.${layer}.${suffix}`
}

export function linearTensorName(layer: number, linear: LinearName, part: 'weight' | 'bias'): string {
  return blockTensorName(layer, `${LINEAR_MODULE[linear]}.${linear}.${part}`)
}

export const OUTER_TENSOR_NAMES = {
  embedding: 'model.embed_tokens.weight',
  finalNorm: 'model.norm.weight',
  lmHead: 'lm_head.weight',
} as const

export function disposeBlockWeights(block: BlockWeights): void {
  block.inputNorm.dispose()
  block.postAttentionNorm.dispose()
  for (const linear of Object.values(block.linears)) {
    linear.weight.dispose()
    linear.bias?.dispose()
  }
}

export function disposeOuterWeights(outer: OuterWeights): void {
  // A tied lm_head is the embedding tensor; disposing a tensor twice is harmless in tfjs.
  outer.embedding.dispose()
  outer.finalNorm.dispose()
  outer.lmHead.dispose()
}

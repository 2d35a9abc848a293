import type { Architecture } from '../train-tiny/architecture.js'

/**
 * Model shapes to generate. `tinyllama-1.1b` matches TinyLlama-1.1B (1,100,048,384
 * parameters); `mini` is the same layout at a size a test can afford.
 */
export const SHAPES = {
  'tinyllama-1.1b': { hiddenSize: 2048, intermediateSize: 5632, numLayers: 22, numHeads: 32, numKvHeads: 4, vocabSize: 32000, maxPositions: 2048 },
  mini: { hiddenSize: 256, intermediateSize: 512, numLayers: 2, numHeads: 4, numKvHeads: 2, vocabSize: 256, maxPositions: 512 },
} as const satisfies Record<string, Architecture>
export type ShapeName = keyof typeof SHAPES

export interface TensorShape {
  name: string
  shape: [number] | [number, number]
  /** Norm gains sit near 1; everything else is a weight matrix. */
  kind: 'norm' | 'matrix'
}

/** Every tensor of a LlamaForCausalLM with untied embeddings, in Hugging Face names. */
export function tensorShapes(a: Architecture): TensorShape[] {
  const headDim = a.hiddenSize / a.numHeads
  const kv = a.numKvHeads * headDim
  const tensors: TensorShape[] = [{ name: 'model.embed_tokens.weight', shape: [a.vocabSize, a.hiddenSize], kind: 'matrix' }]
  for (let layer = 0; layer < a.numLayers; layer++) {
    const p = `model.layers.${layer}`
    tensors.push(
      { name: `${p}.input_layernorm.weight`, shape: [a.hiddenSize], kind: 'norm' },
      { name: `${p}.self_attn.q_proj.weight`, shape: [a.hiddenSize, a.hiddenSize], kind: 'matrix' },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kv, a.hiddenSize], kind: 'matrix' },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kv, a.hiddenSize], kind: 'matrix' },
      { name: `${p}.self_attn.o_proj.weight`, shape: [a.hiddenSize, a.hiddenSize], kind: 'matrix' },
      { name: `${p}.post_attention_layernorm.weight`, shape: [a.hiddenSize], kind: 'norm' },
      { name: `${p}.mlp.gate_proj.weight`, shape: [a.intermediateSize, a.hiddenSize], kind: 'matrix' },
      { name: `${p}.mlp.up_proj.weight`, shape: [a.intermediateSize, a.hiddenSize], kind: 'matrix' },
      { name: `${p}.mlp.down_proj.weight`, shape: [a.hiddenSize, a.intermediateSize], kind: 'matrix' },
    )
  }
  tensors.push({ name: 'model.norm.weight', shape: [a.hiddenSize], kind: 'norm' }, { name: 'lm_head.weight', shape: [a.vocabSize, a.hiddenSize], kind: 'matrix' })
  return tensors
}

import { parseModelConfig, type ModelConfig } from '@qchain/model'
import { BOS_ID, EOS_ID } from './vocabulary.js'

export interface Architecture {
  hiddenSize: number
  intermediateSize: number
  numLayers: number
  numHeads: number
  numKvHeads: number
  vocabSize: number
  maxPositions: number
}

/**
 * `default` is the committed model: every linear layer reads 256 or 768 features, multiples
 * of the 128-column GPTQ groups; 128 tokens keep the embedding rows a round number too.
 * `smoke` is a few-second check that the loss goes down.
 */
export const ARCHITECTURES = {
  default: { hiddenSize: 256, intermediateSize: 768, numLayers: 4, numHeads: 8, numKvHeads: 4, vocabSize: 128, maxPositions: 512 },
  smoke: { hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, vocabSize: 128, maxPositions: 512 },
} as const satisfies Record<string, Architecture>
export type ArchitectureName = keyof typeof ARCHITECTURES

/** A LlamaForCausalLM config.json as transformers writes it, weights stored in bf16. */
export function configJson(architecture: Architecture): Record<string, unknown> {
  const { hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, vocabSize, maxPositions } = architecture
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: hiddenSize,
    intermediate_size: intermediateSize,
    num_hidden_layers: numLayers,
    num_attention_heads: numHeads,
    num_key_value_heads: numKvHeads,
    head_dim: hiddenSize / numHeads,
    vocab_size: vocabSize,
    max_position_embeddings: maxPositions,
    rms_norm_eps: 1e-5,
    rope_theta: 10000.0,
    rope_scaling: null,
    hidden_act: 'silu',
    initializer_range: 0.02,
    tie_word_embeddings: false,
    bos_token_id: BOS_ID,
    eos_token_id: EOS_ID,
    attention_bias: false,
    attention_dropout: 0.0,
    mlp_bias: false,
    pretraining_tp: 1,
    use_cache: true,
    torch_dtype: 'bfloat16',
  }
}

/** The normalized config the @qchain/model forward runs with, parsed from the same JSON. */
export function modelConfig(architecture: Architecture): ModelConfig {
  return parseModelConfig(configJson(architecture), '<train-tiny config>')
}

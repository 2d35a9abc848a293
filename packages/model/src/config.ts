import { z } from 'zod'
import { ModelError } from './errors.js'

/** model_type -> the architectures class names transformers uses for it. */
export const SUPPORTED_ARCHITECTURES = {
  llama: 'LlamaForCausalLM',
  mistral: 'MistralForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
} as const

export type ModelType = keyof typeof SUPPORTED_ARCHITECTURES

export type RopeScaling =
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number }
  | { type: 'linear'; factor: number }

export interface ModelConfig {
  modelType: ModelType
  architecture: string
  hiddenSize: number
  intermediateSize: number
  numLayers: number
  numHeads: number
  numKvHeads: number
  headDim: number
  vocabSize: number
  rmsNormEps: number
  ropeTheta: number
  ropeScaling: RopeScaling | undefined
  maxPositionEmbeddings: number | undefined
  tieWordEmbeddings: boolean
  /** q/k/v projections carry a bias (always for qwen2, `attention_bias` for llama). */
  attentionBias: boolean
  torchDtype: string | undefined
  /** The raw quantization_config object, when the folder holds a quantized model. */
  quantizationConfig: Record<string, unknown> | undefined
}

const positiveInt = z.number().int().positive()

const ropeScalingSchema = z
  .looseObject({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().positive().optional(),
    high_freq_factor: z.number().positive().optional(),
    original_max_position_embeddings: positiveInt.optional(),
  })
  .nullable()
  .optional()

const configSchema = z.looseObject({
  model_type: z.string(),
  architectures: z.array(z.string()).min(1).optional(),
  hidden_size: positiveInt,
  intermediate_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  num_key_value_heads: positiveInt.optional(),
  head_dim: positiveInt.nullable().optional(),
  vocab_size: positiveInt,
  rms_norm_eps: z.number().positive(),
  rope_theta: z.number().positive().optional(),
  rope_scaling: ropeScalingSchema,
  max_position_embeddings: positiveInt.optional(),
  tie_word_embeddings: z.boolean().optional(),
  attention_bias: z.boolean().optional(),
  torch_dtype: z.string().optional(),
  quantization_config: z.record(z.string(), z.unknown()).optional(),
})

const SUPPORTED_LIST = Object.entries(SUPPORTED_ARCHITECTURES)
  .map(([type, arch]) => `${type} (${arch})`)
  .join(', ')

/** Validates a config.json object for a supported Llama-family model and normalizes it. */
export function parseModelConfig(json: unknown, file: string): ModelConfig {
  // The architecture comes first: a BERT config lacks Llama fields, and "unsupported" is the useful answer.
  const modelType = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).model_type : undefined
  if (typeof modelType === 'string' && !Object.hasOwn(SUPPORTED_ARCHITECTURES, modelType)) {
    throw new ModelError('unsupported-architecture', `model_type ${JSON.stringify(modelType)} is not supported; supported: ${SUPPORTED_LIST}`, { file, field: 'model_type' })
  }
  const parsed = configSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ModelError('invalid-config', issue?.message ?? 'invalid config', { file, field: issue?.path.join('.') ?? '' })
  }
  const raw = parsed.data
  const type = raw.model_type as ModelType
  const architecture = raw.architectures?.[0] ?? SUPPORTED_ARCHITECTURES[type]
  if (architecture !== SUPPORTED_ARCHITECTURES[type]) {
    throw new ModelError('unsupported-architecture', `architecture ${JSON.stringify(architecture)} is not supported; supported: ${SUPPORTED_LIST}`, { file, field: 'architectures' })
  }
  const numKvHeads = raw.num_key_value_heads ?? raw.num_attention_heads
  if (raw.num_attention_heads % numKvHeads !== 0) {
    throw new ModelError('invalid-config', `num_attention_heads ${raw.num_attention_heads} is not a multiple of num_key_value_heads ${numKvHeads}`, { file, field: 'num_key_value_heads' })
  }
  const headDim = raw.head_dim ?? raw.hidden_size / raw.num_attention_heads
  if (!Number.isInteger(headDim)) {
    throw new ModelError('invalid-config', `hidden_size ${raw.hidden_size} is not divisible by num_attention_heads ${raw.num_attention_heads}`, { file, field: 'head_dim' })
  }
  return {
    modelType: type,
    architecture,
    hiddenSize: raw.hidden_size,
    intermediateSize: raw.intermediate_size,
    numLayers: raw.num_hidden_layers,
    numHeads: raw.num_attention_heads,
    numKvHeads,
    headDim,
    vocabSize: raw.vocab_size,
    rmsNormEps: raw.rms_norm_eps,
    ropeTheta: raw.rope_theta ?? 10000,
    ropeScaling: parseRopeScaling(raw.rope_scaling, file),
    maxPositionEmbeddings: raw.max_position_embeddings,
    tieWordEmbeddings: raw.tie_word_embeddings ?? false,
    attentionBias: modelType === 'qwen2' || (raw.attention_bias ?? false),
    torchDtype: raw.torch_dtype,
    quantizationConfig: raw.quantization_config,
  }
}

function parseRopeScaling(value: z.infer<typeof ropeScalingSchema>, file: string): RopeScaling | undefined {
  if (!value) return undefined
  const type = value.rope_type ?? value.type ?? 'default'
  const field = 'rope_scaling'
  if (type === 'default') return undefined
  if (type === 'linear' && value.factor) return { type, factor: value.factor }
  if (type === 'llama3' && value.factor && value.low_freq_factor && value.high_freq_factor && value.original_max_position_embeddings) {
    return {
      type,
      factor: value.factor,
      lowFreqFactor: value.low_freq_factor,
      highFreqFactor: value.high_freq_factor,
      originalMaxPositionEmbeddings: value.original_max_position_embeddings,
    }
  }
  if (type === 'linear' || type === 'llama3') {
    throw new ModelError('invalid-config', `rope_scaling of type ${type} lacks a required factor`, { file, field })
  }
  throw new ModelError('unsupported-architecture', `rope_scaling type ${JSON.stringify(type)} is not supported; supported: default, linear, llama3`, { file, field })
}

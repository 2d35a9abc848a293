import { LINEAR_NAMES, linearShape, linearTensorName, blockTensorName, OUTER_TENSOR_NAMES, seededRandom, type BlockWeights, type LinearName, type LinearWeights, type LlamaModel, type ModelConfig } from '@qchain/model'
import { tf } from '@qchain/tensor/tfjs'

/** Every trainable tensor by its Hugging Face checkpoint name, with the model view that runs on them. */
export interface TrainableModel {
  config: ModelConfig
  variables: Map<string, tf.Variable>
  /** The @qchain/model weight objects, pointing at the variables: its forward is what gets differentiated. */
  model: LlamaModel
}

/** Init scale for embeddings and linear layers (GPT-2 / Llama's initializer_range). */
const INIT_STD = 0.02
/** Layers that write into the residual stream start smaller, so the stream's variance does not grow with depth. */
const RESIDUAL_OUTPUTS = new Set<LinearName>(['o_proj', 'down_proj'])

/** Name and shape of every tensor of an untied Llama checkpoint, norms included. */
export function parameterShapes(config: ModelConfig): Map<string, number[]> {
  const { hiddenSize, vocabSize, numLayers } = config
  const shapes = new Map<string, number[]>([[OUTER_TENSOR_NAMES.embedding, [vocabSize, hiddenSize]]])
  for (let layer = 0; layer < numLayers; layer++) {
    for (const linear of LINEAR_NAMES) shapes.set(linearTensorName(layer, linear, 'weight'), linearShape(config, linear))
    shapes.set(blockTensorName(layer, 'input_layernorm.weight'), [hiddenSize])
    shapes.set(blockTensorName(layer, 'post_attention_layernorm.weight'), [hiddenSize])
  }
  shapes.set(OUTER_TENSOR_NAMES.finalNorm, [hiddenSize])
  shapes.set(OUTER_TENSOR_NAMES.lmHead, [vocabSize, hiddenSize])
  return shapes
}

/** Seeded initial values: norms at 1, matrices normal(0, 0.02), residual outputs scaled by 1 / sqrt(2 layers). */
export function initialValues(config: ModelConfig, seed: number): Map<string, Float32Array> {
  const random = seededRandom(seed)
  const residualScale = 1 / Math.sqrt(2 * config.numLayers)
  const values = new Map<string, Float32Array>()
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1)
    if (shape.length === 1) {
      values.set(name, new Float32Array(size).fill(1))
      continue
    }
    const std = INIT_STD * ([...RESIDUAL_OUTPUTS].some((linear) => name.endsWith(`.${linear}.weight`)) ? residualScale : 1)
    values.set(name, Float32Array.from({ length: size }, () => std * normalSample(random)))
  }
  return values
}

/** Box-Muller: one standard normal draw from two uniform ones. */
function normalSample(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Makes a variable of each value and the @qchain/model weight objects that use them. */
export function createTrainableModel(config: ModelConfig, values: ReadonlyMap<string, Float32Array>): TrainableModel {
  const variables = new Map<string, tf.Variable>()
  for (const [name, shape] of parameterShapes(config)) {
    const value = values.get(name)
    if (!value) throw new Error(`no value for ${name}`)
    // Unnamed: tfjs names variables uniquely, so several models can live in one process.
    variables.set(name, variableOf(tf.tensor(value, shape)))
  }
  const get = <R extends tf.Rank>(name: string) => variables.get(name) as tf.Variable<R>
  const blocks: BlockWeights[] = Array.from({ length: config.numLayers }, (_, layer) => {
    const linears = {} as Record<LinearName, LinearWeights>
    for (const linear of LINEAR_NAMES) linears[linear] = { weight: get<tf.Rank.R2>(linearTensorName(layer, linear, 'weight')) }
    return {
      inputNorm: get<tf.Rank.R1>(blockTensorName(layer, 'input_layernorm.weight')),
      postAttentionNorm: get<tf.Rank.R1>(blockTensorName(layer, 'post_attention_layernorm.weight')),
      linears,
    }
  })
  const outer = {
    embedding: get<tf.Rank.R2>(OUTER_TENSOR_NAMES.embedding),
    finalNorm: get<tf.Rank.R1>(OUTER_TENSOR_NAMES.finalNorm),
    lmHead: get<tf.Rank.R2>(OUTER_TENSOR_NAMES.lmHead),
  }
  return { config, variables, model: { config, outer, blocks } }
}

/** A trainable variable holding the tensor's value; the tensor itself is disposed. */
export function variableOf(initial: tf.Tensor, trainable = true): tf.Variable {
  const variable = tf.variable(initial, trainable)
  initial.dispose()
  return variable
}

/** Current values of every variable, read back from the backend. */
export function readValues(variables: ReadonlyMap<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...variables].map(([name, variable]) => [name, new Float32Array(variable.dataSync())]))
}

import { gptqQuantize, HessianAccumulator, rtnQuantize, type GptqOptions, type QuantizedLayer } from '@qchain/gptq'
import {
  disposeBlockWeights,
  embed,
  LINEAR_INPUT_GROUPS,
  loadBlockWeights,
  loadOuterWeights,
  disposeOuterWeights,
  linearTensorName,
  runBlock,
  type BlockWeights,
  type LinearInputGroup,
  type LinearName,
  type ModelConfig,
} from '@qchain/model'
import type { SafetensorsFolder } from '@qchain/safetensors/node'
import { initTensorBackend, tf } from '@qchain/tensor/tfjs'
import { equalLengthBatches } from './batches.js'

export interface SequentialLevel {
  method: 'gptq' | 'rtn'
  options: GptqOptions
}

export interface QuantizedLinear {
  /** Index into the levels given. */
  level: number
  layer: number
  linear: LinearName
  /** The weight tensor's name, e.g. model.layers.0.self_attn.q_proj.weight. */
  name: string
  result: QuantizedLayer
}

export interface SequentialOptions {
  /** Sequences run through a block together. */
  batchSize?: number
  onProgress?: (event: { layer: number; layers: number; level: number; group: LinearInputGroup }) => void
}

const GROUP_ORDER: readonly LinearInputGroup[] = ['qkv', 'o', 'gateUp', 'down']

/**
 * Quantizes a Llama-family model block by block, as the reference GPTQ does: each block's
 * calibration inputs are the outputs of the already quantized blocks before it, and inside a
 * block the linear layers go in true-sequential order (q/k/v, o, gate/up, down), each group's
 * Hessian taken from inputs that flow through the layers quantized before it. Several levels
 * are produced in one pass, each with its own propagated activations, as separate runs would
 * have them. Only one block's weights are in memory; results are yielded as they are made.
 */
export async function* quantizeSequentially(
  folder: SafetensorsFolder,
  config: ModelConfig,
  levels: readonly SequentialLevel[],
  sequences: readonly number[][],
  options: SequentialOptions = {},
): AsyncGenerator<QuantizedLinear> {
  await initTensorBackend()
  const batches = equalLengthBatches([...sequences], options.batchSize ?? 8)
  const outer = await loadOuterWeights(folder, config)
  const initial = batches.map((batch) => embed(batch, outer.embedding, config))
  disposeOuterWeights(outer)
  // One set of hidden states per level; they start equal and drift apart as blocks are quantized.
  let states = levels.map((_, index) => (index === 0 ? initial : initial.map((tensor) => tensor.clone())))
  try {
    for (let layer = 0; layer < config.numLayers; layer++) {
      const original = await loadBlockWeights(folder, config, layer)
      try {
        const next: tf.Tensor3D[][] = []
        for (const [level, request] of levels.entries()) {
          const hidden = states[level] as tf.Tensor3D[]
          const quantized = { ...original, linears: { ...original.linears } }
          const created: tf.Tensor[] = []
          try {
            for (const group of GROUP_ORDER) {
              options.onProgress?.({ layer, layers: config.numLayers, level, group })
              const hessian = request.method === 'gptq' ? groupHessian(hidden, quantized, config, group) : undefined
              for (const linear of LINEAR_INPUT_GROUPS[group]) {
                const result = await quantizeLinear(original, linear, request, hessian)
                const weight = tf.tensor2d(result.weight, [result.rows, result.cols])
                created.push(weight)
                quantized.linears[linear] = { ...original.linears[linear], weight }
                yield { level, layer, linear, name: linearTensorName(layer, linear, 'weight'), result }
              }
            }
            next.push(hidden.map((batch) => runBlock(batch, quantized, config)))
          } finally {
            tf.dispose(created)
          }
        }
        states.forEach((hidden) => tf.dispose(hidden))
        states = next
      } finally {
        disposeBlockWeights(original)
      }
    }
  } finally {
    states.forEach((hidden) => tf.dispose(hidden))
  }
}

/** H = (2/n) sum x x^T of one group's inputs over every calibration batch (n counts sequences, as the reference does). */
function groupHessian(hidden: readonly tf.Tensor3D[], block: BlockWeights, config: ModelConfig, group: LinearInputGroup): Float32Array {
  let accumulator: HessianAccumulator | undefined
  for (const batch of hidden) {
    const output = runBlock(batch, block, config, {
      onLinearInput: (seen, input) => {
        if (seen !== group) return
        const [tokens, columns] = input.shape
        accumulator ??= new HessianAccumulator(columns)
        accumulator.addBatch(input.dataSync() as Float32Array, tokens, batch.shape[0])
      },
    })
    output.dispose()
  }
  return (accumulator as HessianAccumulator).hessian()
}

async function quantizeLinear(block: BlockWeights, linear: LinearName, request: SequentialLevel, hessian: Float32Array | undefined): Promise<QuantizedLayer> {
  const tensor = block.linears[linear].weight
  const [rows, cols] = tensor.shape
  const weight = (await tensor.data()) as Float32Array
  return hessian ? gptqQuantize(weight, rows, cols, hessian, request.options) : rtnQuantize(weight, rows, cols, request.options)
}

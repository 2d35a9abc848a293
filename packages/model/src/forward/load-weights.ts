import { join } from 'node:path'
import type { SafetensorsFolder } from '@qchain/safetensors/node'
import { toFloat32 } from '@qchain/tensor'
import { initTensorBackend, tf } from '@qchain/tensor/tfjs'
import type { ModelConfig } from '../config.js'
import { ModelError } from '../errors.js'
import { blockTensorName, LINEAR_NAMES, linearTensorName, OUTER_TENSOR_NAMES, type BlockWeights, type LinearName, type LinearWeights, type OuterWeights } from './weights.js'

const FLOAT_DTYPES = new Set(['F16', 'BF16', 'F32', 'F64'])
const BIASED_LINEARS = new Set<LinearName>(['q_proj', 'k_proj', 'v_proj'])

/** [out, in] of a linear layer as the config implies it. */
export function linearShape(config: ModelConfig, linear: LinearName): [number, number] {
  const { hiddenSize, intermediateSize, numHeads, numKvHeads, headDim } = config
  switch (linear) {
    case 'q_proj':
      return [numHeads * headDim, hiddenSize]
    case 'k_proj':
    case 'v_proj':
      return [numKvHeads * headDim, hiddenSize]
    case 'o_proj':
      return [hiddenSize, numHeads * headDim]
    case 'gate_proj':
    case 'up_proj':
      return [intermediateSize, hiddenSize]
    case 'down_proj':
      return [hiddenSize, intermediateSize]
  }
}

/** Loads one transformer block's weights as float32 tensors (the caller disposes them). */
export async function loadBlockWeights(folder: SafetensorsFolder, config: ModelConfig, layer: number): Promise<BlockWeights> {
  if (!Number.isInteger(layer) || layer < 0 || layer >= config.numLayers) {
    throw new ModelError('invalid-input', `layer ${layer} does not exist; the model has layers 0 to ${config.numLayers - 1}`, { file: folder.dir })
  }
  return readAllOrNone(folder, async (read) => {
    const linears: Partial<Record<LinearName, LinearWeights>> = {}
    for (const linear of LINEAR_NAMES) {
      const shape = linearShape(config, linear)
      const weight = await read<tf.Rank.R2>(linearTensorName(layer, linear, 'weight'), shape)
      const hasBias = config.attentionBias && BIASED_LINEARS.has(linear)
      linears[linear] = hasBias ? { weight, bias: await read<tf.Rank.R1>(linearTensorName(layer, linear, 'bias'), [shape[0]]) } : { weight }
    }
    return {
      inputNorm: await read<tf.Rank.R1>(blockTensorName(layer, 'input_layernorm.weight'), [config.hiddenSize]),
      postAttentionNorm: await read<tf.Rank.R1>(blockTensorName(layer, 'post_attention_layernorm.weight'), [config.hiddenSize]),
      linears: linears as Record<LinearName, LinearWeights>,
    }
  })
}

/** Loads the embedding, final norm and output projection (tied to the embedding when the config says so). */
export async function loadOuterWeights(folder: SafetensorsFolder, config: ModelConfig): Promise<OuterWeights> {
  const vocabByHidden = [config.vocabSize, config.hiddenSize]
  return readAllOrNone(folder, async (read) => {
    const embedding = await read<tf.Rank.R2>(OUTER_TENSOR_NAMES.embedding, vocabByHidden)
    const finalNorm = await read<tf.Rank.R1>(OUTER_TENSOR_NAMES.finalNorm, [config.hiddenSize])
    const lmHead = config.tieWordEmbeddings ? embedding : await read<tf.Rank.R2>(OUTER_TENSOR_NAMES.lmHead, vocabByHidden)
    return { embedding, finalNorm, lmHead }
  })
}

type ReadTensor = <R extends tf.Rank>(name: string, shape: number[]) => Promise<tf.Tensor<R>>

/** Runs `build` with a tensor reader; if any read fails, the tensors read so far are disposed. */
async function readAllOrNone<T>(folder: SafetensorsFolder, build: (read: ReadTensor) => Promise<T>): Promise<T> {
  await initTensorBackend()
  const loaded: tf.Tensor[] = []
  async function read<R extends tf.Rank>(name: string, shape: number[]): Promise<tf.Tensor<R>> {
    const tensor = await readFloatTensor(folder, name, shape)
    loaded.push(tensor)
    return tensor as tf.Tensor<R>
  }
  try {
    return await build(read)
  } catch (error) {
    tf.dispose(loaded)
    throw error
  }
}

/** Reads a floating-point tensor of the expected shape as float32. */
async function readFloatTensor(folder: SafetensorsFolder, name: string, shape: number[]): Promise<tf.Tensor> {
  const found = folder.tensors.get(name)
  if (!found) {
    const files = [...folder.files.keys()].join(', ')
    throw new ModelError('not-found', `the model's weights lack this tensor (looked in ${files})`, { file: folder.dir, tensor: name })
  }
  const file = join(folder.dir, found.fileName)
  const { dtype, shape: stored } = found.info
  if (!FLOAT_DTYPES.has(dtype)) {
    throw new ModelError('unsupported-architecture', `dtype ${dtype} is not a floating-point type; only unquantized weights can be run`, { file, tensor: name })
  }
  if (stored.length !== shape.length || stored.some((size, axis) => size !== shape[axis])) {
    throw new ModelError('invalid-config', `shape [${stored.join(', ')}] does not match config.json, which implies [${shape.join(', ')}]`, { file, tensor: name })
  }
  return tf.tensor(toFloat32(await folder.read(name), dtype), shape, 'float32')
}

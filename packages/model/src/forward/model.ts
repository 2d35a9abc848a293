import { openSafetensorsFolder, type SafetensorsFolder } from '@qchain/safetensors/node'
import { initTensorBackend, tf, type TensorBackendOptions } from '@qchain/tensor/tfjs'
import { readModelConfig } from '../config-file.js'
import type { ModelConfig } from '../config.js'
import { runBlock } from './block.js'
import type { BlockKvCache } from './kv-cache.js'
import { loadBlockWeights, loadOuterWeights } from './load-weights.js'
import { finalLogits } from './logits.js'
import { embed, type TokenBatch } from './tokens.js'
import { disposeBlockWeights, disposeOuterWeights, type BlockWeights, type LinearInputGroup, type OuterWeights } from './weights.js'

/** A Llama-family model with every block's weights in memory, in float32. */
export interface LlamaModel {
  config: ModelConfig
  outer: OuterWeights
  blocks: BlockWeights[]
}

/** Loads config.json and all weights of a model folder, starting the tensor backend first. */
export async function createModel(dir: string, options: TensorBackendOptions = {}): Promise<LlamaModel> {
  await initTensorBackend(options)
  const config = await readModelConfig(dir)
  const folder = await openSafetensorsFolder(dir)
  try {
    return await loadModel(folder, config)
  } finally {
    await folder.close()
  }
}

/** Loads every weight of an open folder (or a view that dequantizes a quantized one) in float32. */
export async function loadModel(folder: SafetensorsFolder, config: ModelConfig): Promise<LlamaModel> {
  const blocks: BlockWeights[] = []
  const outer = await loadOuterWeights(folder, config)
  try {
    for (let layer = 0; layer < config.numLayers; layer++) blocks.push(await loadBlockWeights(folder, config, layer))
  } catch (error) {
    disposeOuterWeights(outer)
    blocks.forEach(disposeBlockWeights)
    throw error
  }
  return { config, outer, blocks }
}

export function disposeModel(model: LlamaModel): void {
  disposeOuterWeights(model.outer)
  model.blocks.forEach(disposeBlockWeights)
}

export interface ForwardOptions {
  /** One cache per block, for incremental decoding. */
  caches?: readonly BlockKvCache[]
  /** RunBlockOptions.onLinearInput for every block, told which block it is. */
  onLinearInput?: (layer: number, group: LinearInputGroup, input: tf.Tensor2D) => void
}

/** Runs every block over [batch, seq, hidden] states; the input stays the caller's. */
export function runBlocks(model: LlamaModel, hidden: tf.Tensor3D, options: ForwardOptions = {}): tf.Tensor3D {
  const { caches, onLinearInput } = options
  let current = hidden
  model.blocks.forEach((weights, layer) => {
    const next = runBlock(current, weights, model.config, {
      cache: caches?.[layer],
      onLinearInput: onLinearInput && ((group, input) => onLinearInput(layer, group, input)),
    })
    if (current !== hidden) current.dispose()
    current = next
  })
  return current
}

/** Logits [batch, seq, vocab] of a batch of equal-length token sequences; the caller disposes them. */
export function forward(model: LlamaModel, tokens: TokenBatch, options: ForwardOptions = {}): tf.Tensor3D {
  const embedded = embed(tokens, model.outer.embedding, model.config)
  const hidden = runBlocks(model, embedded, options)
  const logits = finalLogits(hidden, model.outer, model.config)
  tf.dispose([embedded, hidden])
  return logits
}

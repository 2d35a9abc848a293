import { quantizeInt8Rowwise, rtnQuantize, type Int8RowwiseLevel, type QuantizedLayer } from '@qchain/gptq'
import { readModelConfig, type ModelConfig } from '@qchain/model'
import { openSafetensorsFolder, type SafetensorsFolder } from '@qchain/safetensors/node'
import { toFloat32 } from '@qchain/tensor'
import { isQchainError } from '@qchain/errors'
import { QuantizeError } from './errors.js'
import { createGptqCheckpointWriter, type GptqCheckpointWriter } from './gptq-checkpoint.js'
import { createInt8CheckpointWriter, type Int8CheckpointWriter } from './int8-checkpoint.js'
import { levelName, type LevelRequest } from './levels.js'
import { quantizableMatrices, type QuantizableMatrix } from './matrices.js'
import { quantizeSequentially } from './sequential-gptq.js'

export interface LevelOutput {
  request: LevelRequest
  /** The checkpoint folder to write (replaced atomically when done). */
  target: string
}

export type QuantizeProgress =
  | { stage: 'gptq'; layer: number; layers: number; level: string; group: string }
  | { stage: 'direct'; done: number; total: number }

export interface QuantizeModelOptions {
  /** Calibration token sequences; needed by GPTQ levels. */
  calibration?: readonly number[][]
  batchSize?: number
  maxShardBytes?: number
  onProgress?: (event: QuantizeProgress) => void
  /** Sees every quantized matrix before it is written: the output's index, the matrix, the result. */
  onQuantized?: (output: number, matrix: QuantizableMatrix, result: QuantizedLayer | Int8RowwiseLevel) => void | Promise<void>
}

type Writer = GptqCheckpointWriter | Int8CheckpointWriter

/**
 * Quantizes a 16-bit model folder into one checkpoint folder per requested level, in one
 * pass over the model: GPTQ levels sequentially through the model on the calibration data,
 * RTN and LLM.int8 levels matrix by matrix. Every output appears complete or not at all.
 */
export async function quantizeModel(sourceDir: string, outputs: readonly LevelOutput[], options: QuantizeModelOptions = {}): Promise<void> {
  const folder = await openSafetensorsFolder(sourceDir)
  const writers: Writer[] = []
  try {
    const config = await optionalConfig(sourceDir)
    const matrices = quantizableMatrices(folder, config)
    const byName = new Map(matrices.map((matrix) => [matrix.name, matrix]))
    const gptq = outputs.flatMap((output, index) => (output.request.method === 'gptq' ? [{ index, request: output.request }] : []))
    if (gptq.length > 0) {
      if (!config) throw new QuantizeError('unsupported', 'GPTQ runs calibration through the model and needs a supported config.json (llama, mistral, qwen2); use rtn or int8-rowwise for this model', { file: sourceDir })
      if (!options.calibration?.length) throw new QuantizeError('invalid-level', 'GPTQ needs calibration sequences, and none were given', { field: 'calibration' })
    }
    for (const { request, target } of outputs) writers.push(await createWriter(folder, target, matrices, request, options.maxShardBytes))
    if (config && gptq.length > 0) {
      const levels = gptq.map(({ request }) => ({ method: 'gptq' as const, options: request.options }))
      const sequential = quantizeSequentially(folder, config, levels, options.calibration ?? [], {
        ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
        onProgress: ({ layer, layers, level, group }) =>
          options.onProgress?.({ stage: 'gptq', layer, layers, level: levelName(gptq[level]?.request as LevelRequest), group }),
      })
      for await (const { level, name, result } of sequential) {
        const index = gptq[level]?.index as number
        const matrix = byName.get(name) as QuantizableMatrix
        await options.onQuantized?.(index, matrix, result)
        await (writers[index] as GptqCheckpointWriter).writeMatrix(matrix, result)
      }
    }
    await quantizeDirectly(folder, matrices, outputs, writers, options)
    for (const writer of writers) await writer.finish()
  } catch (error) {
    await Promise.all(writers.map((writer) => writer.abort().catch(() => undefined)))
    throw error
  } finally {
    await folder.close()
  }
}

/** RTN and LLM.int8 levels need no activations: each matrix is read once and quantized for all of them. */
async function quantizeDirectly(folder: SafetensorsFolder, matrices: readonly QuantizableMatrix[], outputs: readonly LevelOutput[], writers: readonly Writer[], options: QuantizeModelOptions): Promise<void> {
  const direct = outputs.flatMap((output, index) => (output.request.method === 'gptq' ? [] : [{ index, request: output.request, writer: writers[index] as Writer }]))
  if (direct.length === 0) return
  for (const [done, matrix] of matrices.entries()) {
    options.onProgress?.({ stage: 'direct', done, total: matrices.length })
    const found = folder.tensors.get(matrix.name)
    const values = toFloat32(await folder.read(matrix.name), found?.info.dtype ?? 'F16')
    for (const { index, request, writer } of direct) {
      if (request.method === 'int8-rowwise') {
        const level = quantizeInt8Rowwise(values, matrix.rows, matrix.cols)
        await options.onQuantized?.(index, matrix, level)
        await (writer as Int8CheckpointWriter).writeMatrix(matrix, level)
      } else {
        const layer = rtnQuantize(values, matrix.rows, matrix.cols, request.options)
        await options.onQuantized?.(index, matrix, layer)
        await (writer as GptqCheckpointWriter).writeMatrix(matrix, layer)
      }
    }
  }
}

function createWriter(folder: SafetensorsFolder, target: string, matrices: readonly QuantizableMatrix[], request: LevelRequest, maxShardBytes: number | undefined): Promise<Writer> {
  return request.method === 'int8-rowwise'
    ? createInt8CheckpointWriter(folder, target, matrices, maxShardBytes)
    : createGptqCheckpointWriter(folder, target, matrices, request.options, request.format, maxShardBytes)
}

/** The model's config when it is a supported architecture; undefined (quantize every matrix) for any other model. */
async function optionalConfig(dir: string): Promise<ModelConfig | undefined> {
  try {
    return await readModelConfig(dir)
  } catch (error) {
    if (isQchainError(error) && (error.code === 'MODEL_NOT_FOUND' || error.code === 'MODEL_UNSUPPORTED_ARCHITECTURE')) return undefined
    throw error
  }
}

import type { TensorSpec } from '@qchain/safetensors'
import { createFolderWriter, type SafetensorsFolder, type SafetensorsFolderWriter } from '@qchain/safetensors/node'
import type { QuantizableMatrix } from './matrices.js'
import { copySideFiles, writeJson, writeQuantizedConfig } from './side-files.js'
import { stageFolder, type StagedFolder } from './staged-folder.js'

/** Shards past 4 GiB, like transformers' default max_shard_size. */
export const DEFAULT_MAX_SHARD_BYTES = 4 * 1024 ** 3

export interface CheckpointLayout {
  /** The tensors that replace one quantized matrix. */
  expand(matrix: QuantizableMatrix): TensorSpec[]
  /** config.json's quantization_config (only written when the source has a config.json). */
  quantizationConfig: Record<string, unknown>
  /** Extra JSON files, such as quantize_config.json. */
  extraFiles?: Record<string, unknown>
}

export interface CheckpointWriter {
  readonly tensors: SafetensorsFolderWriter
  /** Copies every tensor that is not quantized and the side files, then moves the folder into place. */
  finish(): Promise<void>
  abort(): Promise<void>
}

/**
 * A quantized checkpoint folder in the making: the source model's tensors in their order,
 * each quantized matrix replaced by its layout's tensors, written as results arrive.
 */
export async function createCheckpointWriter(
  source: SafetensorsFolder,
  target: string,
  matrices: readonly QuantizableMatrix[],
  layout: CheckpointLayout,
  maxShardBytes = DEFAULT_MAX_SHARD_BYTES,
): Promise<CheckpointWriter> {
  const quantized = new Map(matrices.map((matrix) => [matrix.name, matrix]))
  const specs: TensorSpec[] = []
  const kept: string[] = []
  for (const { info } of source.tensors.values()) {
    const matrix = quantized.get(info.name)
    if (matrix) specs.push(...layout.expand(matrix))
    else {
      specs.push({ name: info.name, dtype: info.dtype, shape: info.shape })
      kept.push(info.name)
    }
  }
  const staged: StagedFolder = await stageFolder(target)
  let tensors: SafetensorsFolderWriter
  try {
    tensors = await createFolderWriter(staged.dir, specs, { maxShardBytes, metadata: { format: 'pt' } })
  } catch (error) {
    await staged.abort()
    throw error
  }
  return {
    tensors,
    async finish() {
      try {
        for (const name of kept) await tensors.write(name, await source.read(name))
        await tensors.finish()
        await copySideFiles(source.dir, staged.dir)
        await writeQuantizedConfig(source.dir, staged.dir, layout.quantizationConfig)
        for (const [file, value] of Object.entries(layout.extraFiles ?? {})) await writeJson(`${staged.dir}/${file}`, value)
      } catch (error) {
        await staged.abort()
        throw error
      }
      await staged.commit()
    },
    async abort() {
      await tensors.abort()
      await staged.abort()
    },
  }
}

/** The bytes of a typed array, without copying. */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

import type { Int8RowwiseLevel } from '@qchain/gptq'
import type { SafetensorsFolder } from '@qchain/safetensors/node'
import { bytesOf, createCheckpointWriter } from './checkpoint-writer.js'
import type { QuantizableMatrix } from './matrices.js'

export interface Int8CheckpointWriter {
  writeMatrix(matrix: QuantizableMatrix, level: Int8RowwiseLevel): Promise<void>
  finish(): Promise<void>
  abort(): Promise<void>
}

/** What transformers records for a bitsandbytes 8-bit model. */
export const INT8_QUANTIZATION_CONFIG = { quant_method: 'bitsandbytes', load_in_8bit: true, load_in_4bit: false, llm_int8_threshold: 6.0 }

/**
 * An LLM.int8 checkpoint folder as bitsandbytes stores it: `<layer>.weight` as int8 in the
 * weight's own shape and `<layer>.SCB` float32 [rows] (each row's absmax), every other tensor unchanged.
 */
export async function createInt8CheckpointWriter(source: SafetensorsFolder, target: string, matrices: readonly QuantizableMatrix[], maxShardBytes?: number): Promise<Int8CheckpointWriter> {
  const writer = await createCheckpointWriter(
    source,
    target,
    matrices,
    {
      expand: ({ name, prefix, rows, shape }) => [
        { name, dtype: 'I8', shape },
        { name: `${prefix}.SCB`, dtype: 'F32', shape: [rows] },
      ],
      quantizationConfig: INT8_QUANTIZATION_CONFIG,
    },
    maxShardBytes,
  )
  return {
    async writeMatrix({ name, prefix }, level) {
      await writer.tensors.write(name, bytesOf(level.weight))
      await writer.tensors.write(`${prefix}.SCB`, bytesOf(level.scb))
    },
    finish: () => writer.finish(),
    abort: () => writer.abort(),
  }
}

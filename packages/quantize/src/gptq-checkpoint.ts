import { packGptqLayer, quantizeConfig, type CheckpointFormat, type GptqOptions, type QuantizedLayer } from '@qchain/gptq'
import type { SafetensorsFolder } from '@qchain/safetensors/node'
import { bytesOf, createCheckpointWriter, type CheckpointWriter } from './checkpoint-writer.js'
import { QuantizeError } from './errors.js'
import type { QuantizableMatrix } from './matrices.js'

export interface GptqCheckpointWriter {
  writeMatrix(matrix: QuantizableMatrix, layer: QuantizedLayer): Promise<void>
  finish(): Promise<void>
  abort(): Promise<void>
}

/** Groups of a layer with `cols` inputs: one per `groupSize` columns (the last may be partial), or one for -1. */
export function groupCount(cols: number, groupSize: number): number {
  return groupSize === -1 ? 1 : Math.ceil(cols / groupSize)
}

/**
 * A GPTQ checkpoint folder as AutoGPTQ / GPTQModel / transformers load it: qweight,
 * qzeros, scales and g_idx per quantized linear layer, every other tensor unchanged,
 * quantize_config.json and config.json with quantization_config.
 */
export async function createGptqCheckpointWriter(
  source: SafetensorsFolder,
  target: string,
  matrices: readonly QuantizableMatrix[],
  options: GptqOptions,
  format: CheckpointFormat,
  maxShardBytes?: number,
): Promise<GptqCheckpointWriter> {
  const { bits } = options
  const groupSize = options.groupSize ?? 128
  const config = quantizeConfig({ ...options, checkpointFormat: format })
  for (const { name, rows, cols } of matrices) {
    if ((rows * bits) % 32 !== 0 || (cols * bits) % 32 !== 0) {
      throw new QuantizeError('unsupported', `a ${rows} x ${cols} matrix cannot be packed at ${bits} bits: rows and columns times bits must be multiples of 32`, { file: source.dir, tensor: name })
    }
  }
  const writer: CheckpointWriter = await createCheckpointWriter(
    source,
    target,
    matrices,
    {
      expand: ({ prefix, rows, cols }) => {
        const groups = groupCount(cols, groupSize)
        return [
          { name: `${prefix}.qweight`, dtype: 'I32', shape: [(cols * bits) / 32, rows] },
          { name: `${prefix}.qzeros`, dtype: 'I32', shape: [groups, (rows * bits) / 32] },
          { name: `${prefix}.scales`, dtype: 'F16', shape: [groups, rows] },
          { name: `${prefix}.g_idx`, dtype: 'I32', shape: [cols] },
        ]
      },
      quantizationConfig: { ...config },
      extraFiles: { 'quantize_config.json': config },
    },
    maxShardBytes,
  )
  return {
    async writeMatrix({ prefix }, layer) {
      const packed = packGptqLayer(layer, bits, format)
      await writer.tensors.write(`${prefix}.qweight`, bytesOf(packed.qweight.data))
      await writer.tensors.write(`${prefix}.qzeros`, bytesOf(packed.qzeros.data))
      await writer.tensors.write(`${prefix}.scales`, bytesOf(packed.scales.data))
      await writer.tensors.write(`${prefix}.g_idx`, bytesOf(packed.gIdx.data))
    },
    finish: () => writer.finish(),
    abort: () => writer.abort(),
  }
}

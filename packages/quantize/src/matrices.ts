import { LINEAR_NAMES, linearTensorName, type ModelConfig } from '@qchain/model'
import type { SafetensorsFolder } from '@qchain/safetensors/node'
import { QuantizeError } from './errors.js'

/** A weight tensor a quantizer replaces, seen as a matrix [rows, cols]. */
export interface QuantizableMatrix {
  /** The tensor's name, e.g. model.layers.0.self_attn.q_proj.weight. */
  name: string
  /** The name without ".weight": the prefix of its quantized tensors (qweight, SCB, ...). */
  prefix: string
  rows: number
  cols: number
  /** Its shape as stored (conv weights keep theirs in an int8 checkpoint). */
  shape: number[]
}

const FLOAT_DTYPES = new Set(['F16', 'BF16', 'F32'])

/**
 * The matrices a quantizer replaces: the seven linear layers of every block of a supported
 * Llama-family model (embeddings, norms and lm_head stay 16-bit, as GPTQ and bitsandbytes
 * leave them); for any other model, every floating-point `*.weight` of two or more
 * dimensions, flattened to [dim0, product of the rest].
 */
export function quantizableMatrices(folder: SafetensorsFolder, config: ModelConfig | undefined): QuantizableMatrix[] {
  const names = config ? llamaLinearNames(config) : genericWeightNames(folder)
  return names.map((name) => {
    const found = folder.tensors.get(name)
    if (!found) throw new QuantizeError('shape-mismatch', 'the model has no such linear layer weight', { file: folder.dir, tensor: name })
    const { shape, dtype } = found.info
    if (!FLOAT_DTYPES.has(dtype) || shape.length < 2) {
      throw new QuantizeError('unsupported', `a ${dtype} tensor of shape [${shape.join(', ')}] cannot be quantized`, { file: folder.dir, tensor: name })
    }
    const [rows, ...rest] = shape as [number, ...number[]]
    return { name, prefix: name.slice(0, -'.weight'.length), rows, cols: rest.reduce((a, b) => a * b, 1), shape }
  })
}

function llamaLinearNames(config: ModelConfig): string[] {
  const names: string[] = []
  for (let layer = 0; layer < config.numLayers; layer++) for (const linear of LINEAR_NAMES) names.push(linearTensorName(layer, linear, 'weight'))
  return names
}

function genericWeightNames(folder: SafetensorsFolder): string[] {
  return [...folder.tensors.values()]
    .filter(({ info }) => info.name.endsWith('.weight') && info.shape.length >= 2 && FLOAT_DTYPES.has(info.dtype))
    .map(({ info }) => info.name)
}

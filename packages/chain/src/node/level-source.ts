import { openCheckpoint, type QuantizedCheckpoint } from '@qchain/quantize'
import { isQchainError } from '@qchain/errors'
import { openSafetensorsFolder, type SafetensorsFolder } from '@qchain/safetensors/node'
import { typedView } from '@qchain/tensor'
import { ChainError } from '../errors.js'
import { GPTQ_PARTS, INT8_PARTS, type MatrixPart, type MatrixValue } from '../matrix.js'

/** One level's checkpoint folder, opened for encoding: its tensors, and its matrices as values. */
export interface LevelSource {
  name: string
  dir: string
  kind: 'half' | 'gptq' | 'int8'
  folder: SafetensorsFolder
  /** GPTQ settings needed to pack codes back into the original bytes. */
  gptq?: { bits: number; format: 'gptq' | 'gptq_v2' }
  /** Prefixes of the quantized matrices (empty for a 16-bit level). */
  prefixes: readonly string[]
  /** The tensor names a matrix occupies in this level. */
  parts(prefix: string): readonly MatrixPart[]
  value(prefix: string): Promise<MatrixValue>
  close(): Promise<void>
}

/** Opens a GPTQ or LLM.int8 checkpoint, or else a 16-bit model folder. */
export async function openLevelSource(name: string, dir: string): Promise<LevelSource> {
  let checkpoint: QuantizedCheckpoint | undefined
  try {
    checkpoint = await openCheckpoint(dir)
  } catch (error) {
    if (!isQchainError(error) || error.code !== 'QUANTIZE_NOT_A_CHECKPOINT') throw error
  }
  if (checkpoint) return quantizedSource(name, dir, checkpoint)
  const folder = await openSafetensorsFolder(dir)
  return {
    name,
    dir,
    kind: 'half',
    folder,
    prefixes: [],
    parts: () => ['weight'] as const,
    async value(prefix) {
      const found = folder.tensors.get(`${prefix}.weight`)
      if (!found || (found.info.dtype !== 'F16' && found.info.dtype !== 'BF16') || found.info.shape.length < 2) {
        throw new ChainError('unsupported', 'a 16-bit level needs this matrix as an F16 or BF16 weight of 2+ dimensions', { file: dir, level: name, tensor: `${prefix}.weight` })
      }
      const [rows = 0, ...rest] = found.info.shape
      const bits = typedView(Uint8Array.from(await folder.read(`${prefix}.weight`)), 'F16')
      return { kind: 'half', value: { rows, cols: rest.reduce((a, b) => a * b, 1), format: found.info.dtype === 'F16' ? 'f16' : 'bf16', bits } }
    },
    close: () => folder.close(),
  }
}

function quantizedSource(name: string, dir: string, checkpoint: QuantizedCheckpoint): LevelSource {
  const gptq = checkpoint.gptq
  return {
    name,
    dir,
    kind: checkpoint.kind,
    folder: checkpoint.folder,
    ...(gptq && { gptq: { bits: gptq.bits, format: gptq.format } }),
    prefixes: checkpoint.prefixes,
    parts: () => (checkpoint.kind === 'gptq' ? GPTQ_PARTS : INT8_PARTS),
    async value(prefix) {
      if (checkpoint.kind === 'int8') return { kind: 'int8', value: await checkpoint.readInt8(prefix) }
      return { kind: 'gptq', value: { ...(await checkpoint.readCodes(prefix)), bits: gptq?.bits ?? 8 } }
    },
    close: () => checkpoint.close(),
  }
}

import type { QuantizedCheckpoint } from '@qchain/quantize'
import { isQchainError } from '@qchain/errors'
import type { SafetensorsFile } from '@qchain/safetensors'
import { openSafetensorsFolder, type SafetensorsFolder } from '@qchain/safetensors/node'
import { ChainError } from '../errors.js'
import { GPTQ_PARTS, INT8_PARTS, type MatrixPart, type MatrixValue } from '../matrix.js'
import { matrixValue, type FileRange, type RawMatrix, type StoredPart } from './matrix-source.js'

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
  /** A matrix's stored tensors, read but not unpacked (what an encode job takes). */
  read(prefix: string): Promise<RawMatrix>
  /** Where a matrix's stored tensors lie in their open files, for a job's thread to read; undefined where a file has no descriptor. */
  locate(prefix: string): RawMatrix<FileRange> | undefined
  /** A matrix as values: GPTQ codes unpacked, 16-bit weights and int8 codes as typed arrays. */
  value(prefix: string): Promise<MatrixValue>
  close(): Promise<void>
}

/** Opens a GPTQ or LLM.int8 checkpoint, or else a 16-bit model folder. */
export async function openLevelSource(name: string, dir: string): Promise<LevelSource> {
  let checkpoint: QuantizedCheckpoint | undefined
  try {
    // Loaded here, not with the module: readers and extraction never need the quantizers.
    const { openCheckpoint } = await import('@qchain/quantize')
    checkpoint = await openCheckpoint(dir)
  } catch (error) {
    if (!isQchainError(error) || error.code !== 'QUANTIZE_NOT_A_CHECKPOINT') throw error
  }
  if (checkpoint) {
    const gptq = checkpoint.gptq && { bits: checkpoint.gptq.bits, format: checkpoint.gptq.format }
    const parts = checkpoint.kind === 'gptq' ? GPTQ_PARTS : INT8_PARTS
    return levelSource({ name, dir, kind: checkpoint.kind, folder: checkpoint.folder, prefixes: checkpoint.prefixes, parts, ...(gptq && { gptq }) }, () => checkpoint.close())
  }
  const folder = await openSafetensorsFolder(dir)
  return levelSource({ name, dir, kind: 'half', folder, prefixes: [], parts: ['weight'] }, () => folder.close())
}

function levelSource(level: Omit<LevelSource, 'parts' | 'read' | 'locate' | 'value' | 'close'> & { parts: readonly MatrixPart[] }, close: () => Promise<void>): LevelSource {
  const { name, dir, kind, folder, gptq } = level
  const tensorOf = (prefix: string, part: MatrixPart) => {
    const tensor = `${prefix}.${part}`
    const found = folder.tensors.get(tensor)
    if (!found) throw new ChainError('unsupported', 'the matrix lacks this tensor', { file: dir, level: name, tensor })
    return { tensor, found }
  }
  const read = async (prefix: string): Promise<RawMatrix> => {
    const parts = await Promise.all(
      level.parts.map(async (part) => {
        const { tensor, found } = tensorOf(prefix, part)
        return { part, bytes: await folder.read(tensor), dtype: found.info.dtype, shape: found.info.shape }
      }),
    )
    return { kind, parts, ...(gptq && { gptq }) }
  }
  const locate = (prefix: string): RawMatrix<FileRange> | undefined => {
    const parts: StoredPart<FileRange>[] = []
    for (const part of level.parts) {
      const { found } = tensorOf(prefix, part)
      const file = folder.files.get(found.fileName) as SafetensorsFile
      if (file.source.fd === undefined) return undefined
      const { begin, end, dtype, shape } = found.info
      parts.push({ part, bytes: { fd: file.source.fd, file: file.source.name, offset: file.header.dataStart + begin, length: end - begin }, dtype, shape })
    }
    return { kind, parts, ...(gptq && { gptq }) }
  }
  return { ...level, parts: () => level.parts, read, locate, value: async (prefix) => matrixValue(await read(prefix), { file: dir, level: name, tensor: prefix }), close }
}

import { unpackGptqLayer, type CheckpointFormat } from '@qchain/gptq/pack'
import { readIntoSync, type ReadSpace } from '@qchain/format/section-file'
import { typedView } from '@qchain/tensor'
import { ChainError } from '../errors.js'
import type { MatrixPart, MatrixValue } from '../matrix.js'

/** Where a stored tensor's bytes lie in an open local file, for a thread that reads them itself. */
export interface FileRange {
  fd: number
  file: string
  offset: number
  length: number
}

/** One stored tensor of a matrix, as the checkpoint holds it: its bytes, or (B = FileRange) where they lie. */
export interface StoredPart<B = Uint8Array> {
  part: MatrixPart
  bytes: B
  dtype: string
  shape: readonly number[]
}

/**
 * A matrix of a level as its checkpoint stores it, before any unpacking: read on the main
 * thread or located for the job's thread to read, turned into a value (GPTQ codes unpacked) by
 * matrixValue wherever the job runs.
 */
export interface RawMatrix<B = Uint8Array> {
  kind: 'half' | 'gptq' | 'int8'
  /** In the level's part order: weight; qweight, qzeros, scales, g_idx; or weight, SCB. */
  parts: StoredPart<B>[]
  gptq?: { bits: number; format: CheckpointFormat }
}

/**
 * The matrices with every part's bytes in memory: parts given as file ranges are read here, all
 * into one buffer from `space` (a new one by default), each at an 8-byte boundary so typed views
 * of it line up.
 */
export function readParts<T extends RawMatrix<Uint8Array | FileRange>>(raws: readonly T[], space: ReadSpace = (length) => new Uint8Array(length)): (Omit<T, 'parts'> & RawMatrix)[] {
  const ranges = raws.flatMap((raw) => raw.parts.flatMap((part) => (part.bytes instanceof Uint8Array ? [] : [part.bytes])))
  const buffer = space(ranges.reduce((sum, range) => sum + alignUp(range.length), 0))
  let at = 0
  const read = (range: FileRange) => {
    const bytes = readIntoSync(range.fd, range.file, buffer.subarray(at, at + range.length), range.offset)
    at += alignUp(range.length)
    return bytes
  }
  return raws.map((raw) => ({ ...raw, parts: raw.parts.map((part) => (part.bytes instanceof Uint8Array ? (part as StoredPart) : { ...part, bytes: read(part.bytes) })) }))
}

const alignUp = (length: number) => Math.ceil(length / 8) * 8

export function matrixValue(raw: RawMatrix, where: { file: string; level: string; tensor: string }): MatrixValue {
  const part = (name: MatrixPart, dtypes: readonly string[]) => {
    const found = raw.parts.find((candidate) => candidate.part === name)
    if (!found || !dtypes.includes(found.dtype)) throw new ChainError('unsupported', `the matrix needs its ${name} as ${dtypes.join(' or ')}`, { ...where, tensor: `${where.tensor}.${name}` })
    return found
  }
  if (raw.kind === 'half') {
    const weight = part('weight', ['F16', 'BF16'])
    const [rows = 0, ...rest] = weight.shape
    if (weight.shape.length < 2) throw new ChainError('unsupported', 'a 16-bit level needs this matrix as an F16 or BF16 weight of 2+ dimensions', { ...where, tensor: `${where.tensor}.weight` })
    return { kind: 'half', value: { rows, cols: rest.reduce((a, b) => a * b, 1), format: weight.dtype === 'F16' ? 'f16' : 'bf16', bits: typedView(weight.bytes, 'F16') } }
  }
  if (raw.kind === 'int8') {
    const weight = part('weight', ['I8'])
    const scb = part('SCB', ['F32'])
    const rows = weight.shape[0] ?? 0
    if (scb.shape.length !== 1 || scb.shape[0] !== rows || rows < 1) throw new ChainError('unsupported', 'an LLM.int8 matrix needs one SCB value per row', { ...where, tensor: `${where.tensor}.SCB` })
    return { kind: 'int8', value: { rows, cols: weight.bytes.length / rows, weight: typedView(weight.bytes, 'I8'), scb: typedView(scb.bytes, 'F32') } }
  }
  const { bits, format } = raw.gptq ?? { bits: 0, format: 'gptq' }
  const ints = (name: MatrixPart) => ({ data: typedView(part(name, ['I32']).bytes, 'I32'), shape: [...part(name, ['I32']).shape] })
  const scales = part('scales', ['F16'])
  const packed = { qweight: ints('qweight'), qzeros: ints('qzeros'), scales: { data: typedView(scales.bytes, 'F16'), shape: [...scales.shape] }, gIdx: ints('g_idx') }
  try {
    return { kind: 'gptq', value: { ...unpackGptqLayer(packed, bits, format), bits } }
  } catch (error) {
    throw new ChainError('unsupported', `the GPTQ tensors do not unpack: ${(error as Error).message}`, { ...where, tensor: `${where.tensor}.qweight` })
  }
}

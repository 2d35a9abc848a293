import { z } from 'zod'
import { dtypeSize, isDtype, type Dtype } from './dtypes.js'
import { SafetensorsError } from './errors.js'

/** Headers above this are refused before any allocation (the reference implementation's cap). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024
/** Bytes of the little-endian u64 that precedes the JSON header. */
export const LENGTH_PREFIX_BYTES = 8

export interface TensorInfo {
  name: string
  dtype: Dtype
  shape: number[]
  /** Byte offsets relative to the start of the data section. */
  begin: number
  end: number
}

export interface SafetensorsHeader {
  /** The length prefix and the JSON text with its padding, exactly as stored. */
  bytes: Uint8Array
  /** Absolute offset of the data section: 8 + header length. */
  dataStart: number
  /** Bytes of tensor data that follow the header. */
  dataSize: number
  /** Tensors in the order the header lists them. */
  tensors: TensorInfo[]
  metadata: Record<string, string> | undefined
}

const tensorEntrySchema = z.strictObject({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
})
const metadataSchema = z.record(z.string(), z.string())

/**
 * Reads the header length from the first 8 bytes and checks it against the caps and the
 * total size before anyone allocates for it.
 */
export function readHeaderLength(prefix: Uint8Array, totalSize: number, file: string): number {
  if (totalSize < LENGTH_PREFIX_BYTES || prefix.length < LENGTH_PREFIX_BYTES) {
    throw new SafetensorsError('truncated', `file of ${totalSize} bytes is shorter than the 8-byte header length`, { file })
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, LENGTH_PREFIX_BYTES)
  const high = view.getUint32(4, true)
  const length = high * 2 ** 32 + view.getUint32(0, true)
  if (high !== 0 || length > MAX_HEADER_BYTES) {
    throw new SafetensorsError('header-too-large', `header length ${length} exceeds the ${MAX_HEADER_BYTES}-byte cap`, { file })
  }
  if (LENGTH_PREFIX_BYTES + length > totalSize) {
    throw new SafetensorsError('header-beyond-file', `header length ${length} runs past the end of a ${totalSize}-byte file`, { file })
  }
  return length
}

/**
 * Parses and validates a complete header. `bytes` holds at least the length prefix and the
 * JSON; `totalSize` is the size of the whole file so offsets can be checked against it.
 */
export function parseHeader(bytes: Uint8Array, totalSize: number, file: string): SafetensorsHeader {
  const length = readHeaderLength(bytes, totalSize, file)
  const dataStart = LENGTH_PREFIX_BYTES + length
  if (bytes.length < dataStart) {
    throw new SafetensorsError('truncated', `got ${bytes.length} header bytes, need ${dataStart}`, { file })
  }
  const json = decodeJson(bytes.subarray(LENGTH_PREFIX_BYTES, dataStart), file)
  const dataSize = totalSize - dataStart
  let metadata: Record<string, string> | undefined
  const tensors: TensorInfo[] = []
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      const parsed = metadataSchema.safeParse(value)
      if (!parsed.success) throw invalid(`__metadata__ must map strings to strings`, file, name)
      metadata = parsed.data
      continue
    }
    tensors.push(parseTensorEntry(name, value, file))
  }
  checkLayout(tensors, dataSize, file)
  return { bytes: bytes.subarray(0, dataStart), dataStart, dataSize, tensors, metadata }
}

function decodeJson(jsonBytes: Uint8Array, file: string): Record<string, unknown> {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes)
  } catch {
    throw new SafetensorsError('invalid-utf8', 'header is not valid UTF-8', { file })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new SafetensorsError('invalid-json', `header is not valid JSON: ${(error as Error).message}`, { file })
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError('invalid-header', 'header JSON must be an object', { file })
  }
  return json as Record<string, unknown>
}

function parseTensorEntry(name: string, value: unknown, file: string): TensorInfo {
  const parsed = tensorEntrySchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw invalid(`${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}`, file, name)
  }
  const { dtype, shape, data_offsets: [begin, end] } = parsed.data
  if (!isDtype(dtype)) {
    throw new SafetensorsError('unknown-dtype', `unknown dtype ${JSON.stringify(dtype)}`, { file, tensor: name })
  }
  const expected = byteLength(shape, dtype)
  if (expected === undefined || end < begin || end - begin !== expected) {
    throw new SafetensorsError(
      'size-mismatch',
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${expected ?? 'an impossible number of'} bytes`,
      { file, tensor: name },
    )
  }
  return { name, dtype, shape, begin, end }
}

/** Bytes a tensor of this shape and dtype occupies, or undefined past 2^53. */
export function byteLength(shape: readonly number[], dtype: Dtype): number | undefined {
  let count = dtypeSize(dtype)
  for (const dim of shape) {
    count *= dim
    if (!Number.isSafeInteger(count)) return undefined
  }
  return count
}

/** The data section must be covered exactly once: no overlap, no hole, nothing past its end. */
function checkLayout(tensors: readonly TensorInfo[], dataSize: number, file: string): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end)
  let cursor = 0
  for (const tensor of sorted) {
    if (tensor.end > dataSize) {
      throw new SafetensorsError('offset-out-of-bounds', `data_offsets end ${tensor.end} is past the ${dataSize}-byte data section`, { file, tensor: tensor.name })
    }
    if (tensor.begin < cursor) {
      throw new SafetensorsError('overlap', `data starting at ${tensor.begin} overlaps the previous tensor ending at ${cursor}`, { file, tensor: tensor.name })
    }
    if (tensor.begin > cursor) {
      throw new SafetensorsError('hole', `bytes [${cursor}, ${tensor.begin}) before this tensor belong to no tensor`, { file, tensor: tensor.name })
    }
    cursor = tensor.end
  }
  if (cursor !== dataSize) {
    throw new SafetensorsError('hole', `bytes [${cursor}, ${dataSize}) at the end of the data section belong to no tensor`, { file })
  }
}

function invalid(detail: string, file: string, tensor: string): SafetensorsError {
  return new SafetensorsError('invalid-header', detail, { file, tensor })
}

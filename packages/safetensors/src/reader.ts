import { checkRange, type ByteSource } from './byte-source.js'
import { SafetensorsError } from './errors.js'
import { LENGTH_PREFIX_BYTES, parseHeader, readHeaderLength, type SafetensorsHeader, type TensorInfo } from './header.js'

/** First read size: most headers fit, so opening a file usually costs one ranged read. */
const SPECULATIVE_READ_BYTES = 64 * 1024

export interface SafetensorsFile {
  readonly source: ByteSource
  readonly header: SafetensorsHeader
  /** Tensor infos by name. */
  readonly tensors: ReadonlyMap<string, TensorInfo>
  /** The raw little-endian bytes of one tensor, read only when asked for. */
  read(name: string): Promise<Uint8Array>
}

/** Opens a safetensors file over any byte source, reading and validating the header only. */
export async function openSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const first = await source.slice(0, Math.min(source.size, SPECULATIVE_READ_BYTES))
  const length = readHeaderLength(first, source.size, source.name)
  const dataStart = LENGTH_PREFIX_BYTES + length
  const headerBytes = dataStart <= first.length ? first.subarray(0, dataStart) : await source.slice(0, dataStart)
  const header = parseHeader(headerBytes, source.size, source.name)
  const tensors = new Map(header.tensors.map((info) => [info.name, info]))
  return {
    source,
    header,
    tensors,
    read(name) {
      const info = tensors.get(name)
      if (!info) {
        return Promise.reject(new SafetensorsError('unknown-tensor', 'no such tensor in this file', { file: source.name, tensor: name }))
      }
      return readTensorBytes(source, header, info)
    },
  }
}

export function readTensorBytes(source: ByteSource, header: SafetensorsHeader, info: TensorInfo): Promise<Uint8Array> {
  const start = header.dataStart + info.begin
  const end = header.dataStart + info.end
  checkRange(source, start, end)
  return source.slice(start, end)
}

/** Tensors in the order their bytes appear in the file, which is the order a writer emits them. */
export function tensorsInFileOrder(header: SafetensorsHeader): TensorInfo[] {
  return [...header.tensors].sort((a, b) => a.begin - b.begin || a.end - b.end)
}

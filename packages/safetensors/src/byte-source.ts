import { SafetensorsError } from './errors.js'

/**
 * Random-access bytes: a file, a buffer, or an HTTP resource read with range requests.
 * `slice(start, end)` resolves to exactly end - start bytes or rejects.
 */
export interface ByteSource {
  readonly name: string
  readonly size: number
  slice(start: number, end: number): Promise<Uint8Array>
  /**
   * A local file's descriptor (Node), while the source is open: worker threads of this process
   * may read the file themselves with positioned reads instead of receiving copied bytes.
   */
  readonly fd?: number
}

/** Throws unless [start, end) lies inside a source of `size` bytes. */
export function checkRange(source: { name: string; size: number }, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > source.size) {
    throw new SafetensorsError('read-out-of-bounds', `read of bytes [${start}, ${end}) outside a source of ${source.size} bytes`, { file: source.name })
  }
}

/** A byte source over bytes already in memory; slices are views, not copies. */
export function bytesSource(bytes: Uint8Array, name = '<memory>'): ByteSource {
  const source: ByteSource = {
    name,
    size: bytes.length,
    slice(start, end) {
      try {
        checkRange(source, start, end)
      } catch (error) {
        return Promise.reject(error)
      }
      return Promise.resolve(bytes.subarray(start, end))
    },
  }
  return source
}

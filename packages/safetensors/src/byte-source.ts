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
   * True when every slice resolves to a new buffer of exactly its bytes that the caller owns (may
   * keep, change or transfer to a worker); otherwise a slice may be a view of shared memory.
   */
  readonly freshSlices?: boolean
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

import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'

/** Bytes per read: one buffer, reused, so hashing a file of any size allocates only this. */
const HASH_READ_BYTES = 4 * 1024 * 1024

/** SHA-256 of a file, with blocking reads: meant for a pool thread (or the caller's, inline). */
export function fileSha256(path: string): string {
  const hash = createHash('sha256')
  const buffer = new Uint8Array(HASH_READ_BYTES)
  const fd = openSync(path, 'r')
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read))
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}

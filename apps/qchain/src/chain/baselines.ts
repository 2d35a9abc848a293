import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import fg from 'fast-glob'
import { compress } from 'zstd-napi'

/** zstd works on bounded chunks so memory stays flat on large files; the ratio barely changes. */
const CHUNK_BYTES = 64 * 1024 * 1024

/** Every file of a level's folder: its bytes as stored, and compressed with zstd at `level`. */
export async function folderZstd(dir: string, level: number): Promise<{ raw: number; compressed: number }> {
  let raw = 0
  let compressed = 0
  for (const name of await fg('*', { cwd: dir, onlyFiles: true })) {
    const path = join(dir, name)
    const size = (await stat(path)).size
    raw += size
    const handle = await open(path, 'r')
    try {
      for (let position = 0; position < size; position += CHUNK_BYTES) {
        const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size - position))
        await handle.read(buffer, 0, buffer.length, position)
        compressed += compress(buffer, { compressionLevel: level }).length
      }
    } finally {
      await handle.close()
    }
  }
  return { raw, compressed }
}

/** Bytes of every file of a level's folder, as stored. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0
  for (const name of await fg('*', { cwd: dir, onlyFiles: true })) total += (await stat(join(dir, name))).size
  return total
}

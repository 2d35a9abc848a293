import { createHash } from 'node:crypto'
import { mkdir, open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { WriteBehind } from '@qchain/format'
import { stageFolder } from '@qchain/quantize/staged-folder'
import { writeAllAt } from '@qchain/safetensors/node'
import { ChainError } from '../errors.js'
import type { ChainReader } from '../read-chain.js'
import { borrowPool, type PoolOptions } from './pool.js'
import { createRebuilder } from './rebuild.js'

/** `workers` threads decode tensors (default: the cores available); the files are the same for any count. */
export interface ExtractOptions extends PoolOptions {
  onFile?: (name: string) => void
}

/**
 * Writes every file of a level into `outDir`, each hashed as it is written; the folder
 * appears only if every file's SHA-256 equals the one recorded, so a damaged container
 * never leaves wrong weights behind.
 */
export async function extractLevel(reader: ChainReader, level: string, outDir: string, options: ExtractOptions = {}): Promise<{ files: number; bytes: number }> {
  const { onFile } = options
  const { pool, release } = borrowPool(options)
  const rebuilder = createRebuilder(reader, pool)
  const staged = await stageFolder(outDir).catch(async (error: unknown) => {
    await release()
    throw error
  })
  let bytes = 0
  try {
    const files = reader.files(level)
    for (const file of files) {
      onFile?.(file.name)
      const path = join(staged.dir, file.name)
      await mkdir(dirname(path), { recursive: true })
      const handle = await open(path, 'wx')
      const hash = createHash('sha256')
      try {
        const out = new WriteBehind({ write: (position, bytes) => writeAllAt(handle, bytes, position) })
        let position = 0
        await rebuilder.rebuildFile(level, file.name, (chunk) => {
          hash.update(chunk)
          position += chunk.length
          return out.write(position - chunk.length, chunk)
        })
        await out.flush()
        await handle.sync()
      } finally {
        await handle.close()
      }
      const digest = hash.digest('hex')
      if (digest !== file.sha256) throw new ChainError('mismatch', `rebuilt file has SHA-256 ${digest}, the container recorded ${file.sha256}`, { level, file: file.name })
      bytes += file.size
    }
    await staged.commit()
    return { files: files.length, bytes }
  } catch (error) {
    await staged.abort()
    throw error
  } finally {
    await release()
  }
}

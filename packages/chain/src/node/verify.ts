import { createHash } from 'node:crypto'
import type { ChainReader } from '../read-chain.js'
import { borrowPool, type PoolOptions } from './pool.js'
import { createRebuilder, type Rebuilder } from './rebuild.js'

/** `workers` threads decode tensors (default: the cores available). */
export interface VerifyOptions extends PoolOptions {
  onFile?: (level: string, file: string) => void
}

export interface LevelCheck {
  level: string
  file: string
  expected: string
  actual?: string
  /** Why it could not be rebuilt, when decoding failed. */
  error?: string
}

/**
 * Checks a container end to end: every section's checksum, then every file of every level
 * (or of `levels`) rebuilt and hashed against its recorded SHA-256. Returns the files that
 * differ or failed; an empty list means every level comes back byte for byte.
 */
export async function verifyChain(reader: ChainReader, levels: readonly string[] = reader.container.levels, options: VerifyOptions = {}): Promise<{ checked: number; bytes: number; failures: LevelCheck[] }> {
  await reader.container.verify()
  const { pool, release } = borrowPool(options)
  try {
    return await rebuildAll(reader, createRebuilder(reader, pool), levels, options.onFile)
  } finally {
    await release()
  }
}

async function rebuildAll(reader: ChainReader, rebuilder: Rebuilder, levels: readonly string[], onFile: VerifyOptions['onFile']): Promise<{ checked: number; bytes: number; failures: LevelCheck[] }> {
  const failures: LevelCheck[] = []
  let checked = 0
  let bytes = 0
  for (const level of levels) {
    for (const file of reader.files(level)) {
      onFile?.(level, file.name)
      const hash = createHash('sha256')
      try {
        await rebuilder.rebuildFile(level, file.name, (chunk) => {
          hash.update(chunk)
        })
        const actual = hash.digest('hex')
        if (actual !== file.sha256) failures.push({ level, file: file.name, expected: file.sha256, actual })
      } catch (error) {
        failures.push({ level, file: file.name, expected: file.sha256, error: (error as Error).message })
      }
      checked++
      bytes += file.size
    }
  }
  return { checked, bytes, failures }
}

import { createHash } from 'node:crypto'
import type { ChainReader } from '../read-chain.js'

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
export async function verifyChain(reader: ChainReader, levels: readonly string[] = reader.container.levels, onFile?: (level: string, file: string) => void): Promise<{ checked: number; bytes: number; failures: LevelCheck[] }> {
  await reader.container.verify()
  const failures: LevelCheck[] = []
  let checked = 0
  let bytes = 0
  for (const level of levels) {
    for (const file of reader.files(level)) {
      onFile?.(level, file.name)
      const hash = createHash('sha256')
      try {
        await reader.rebuildFile(level, file.name, (chunk) => {
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

import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { QchainError } from '@qchain/errors'

/**
 * Checks, before any long work, that a folder the user named is there: an error found only
 * after minutes of quantizing or benchmarking is a worse error.
 */
export async function requireFolder(path: string, flag: string): Promise<void> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new QchainError('PATH_NOT_FOUND', 'no folder here', { file: path, field: flag }, 'not-found')
  if (!info.isDirectory()) throw new QchainError('PATH_NOT_A_FOLDER', 'a file is here; a folder was expected', { file: path, field: flag }, 'input')
}

/** The same for the folder an output file is to be written into. */
export function requireOutputFolder(file: string, flag: string): Promise<void> {
  return requireFolder(dirname(resolve(file)), flag)
}

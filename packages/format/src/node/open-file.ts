import { stat } from 'node:fs/promises'
import { openFileSource } from '@qchain/safetensors/node'
import { FormatError } from '../errors.js'
import { openContainer, type Container } from '../reader.js'

export interface ContainerFile extends Container {
  close(): Promise<void>
}

/** Opens a .qchain file from disk; close() releases the file handle. */
export async function openContainerFile(path: string): Promise<ContainerFile> {
  // Checked first so a wrong path gets the container's words, not an fs error code.
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new FormatError('not-found', 'no container file here', { file: path })
  if (!info.isFile()) throw new FormatError('not-a-file', `a container is one .qchain file; this is ${info.isDirectory() ? 'a folder' : 'not a regular file'}`, { file: path })
  const source = await openFileSource(path)
  try {
    return { ...(await openContainer(source)), close: () => source.close() }
  } catch (error) {
    await source.close()
    throw error
  }
}

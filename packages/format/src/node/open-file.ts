import { openFileSource } from '@qchain/safetensors/node'
import { openContainer, type Container } from '../reader.js'

export interface ContainerFile extends Container {
  close(): Promise<void>
}

/** Opens a .qchain file from disk; close() releases the file handle. */
export async function openContainerFile(path: string): Promise<ContainerFile> {
  const source = await openFileSource(path)
  try {
    return { ...(await openContainer(source)), close: () => source.close() }
  } catch (error) {
    await source.close()
    throw error
  }
}

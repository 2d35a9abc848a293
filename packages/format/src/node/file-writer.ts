import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { writeAllAt } from '@qchain/safetensors/node'
import { createBuilder, type ContainerWriter, type FinishedContainer, type WriterOptions } from '../builder.js'

export interface ContainerFileWriter extends ContainerWriter {
  /** Writes index and footer, fsyncs, then renames the file into place. */
  finish(): Promise<FinishedContainer>
  /** Removes the temporary file; nothing appears at the final path. */
  abort(): Promise<void>
}

/**
 * Streams a container to `path`: sections go to a temporary file in the same folder as they
 * come, and only finish() renames it to `path`, after the footer is written and synced. A
 * writer killed at any point leaves at most a dot-named .tmp file, never a file at `path`.
 */
export async function createContainerWriter(path: string, options: WriterOptions): Promise<ContainerFileWriter> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temporary, 'wx')
  let abort = async () => {
    await handle.close().catch(() => undefined)
    await rm(temporary, { force: true })
  }
  let builder: ReturnType<typeof createBuilder>
  try {
    builder = createBuilder(
      // Positioned writes: sections land at their reserved offsets even when calls overlap.
      { write: (position, bytes) => writeAllAt(handle, bytes, position) },
      path,
      options,
    )
  } catch (error) {
    await abort()
    throw error
  }
  return {
    ...builder,
    async finish() {
      try {
        const finished = await builder.finish()
        await handle.sync()
        await handle.close()
        await rename(temporary, path)
        abort = () => Promise.resolve()
        await syncFolder(dirname(path))
        return finished
      } catch (error) {
        await abort()
        throw error
      }
    },
    abort: () => abort(),
  }
}

/** Makes the rename itself durable; some platforms cannot open folders, and then the rename is all we get. */
async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r').catch(() => undefined)
  if (!folder) return
  await folder.sync().catch(() => undefined)
  await folder.close()
}

import { randomBytes } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Writes a file so that it either appears complete under its final name or not at all:
 * write to a temporary name in the same folder, fsync, then rename over the target. A
 * process killed on the way leaves at most a dot-named `.<name>.<random>.tmp` file.
 */
export async function writeFileAtomically(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temporary, 'wx')
  try {
    await write(handle)
    await handle.sync()
    await handle.close()
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(temporary, { force: true })
    throw error
  }
  await rename(temporary, path)
  await syncFolder(dirname(path))
}

/** Makes renames into a folder durable; some platforms cannot open folders, and then the rename is all we get. */
export async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r').catch(() => undefined)
  if (!folder) return
  await folder.sync().catch(() => undefined)
  await folder.close()
}

/** FileHandle.write may write less than asked; loop until every byte is out. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done)
    done += bytesWritten
  }
}

/** writeAll at a file position: positioned writes, so calls for different ranges may overlap. */
export async function writeAllAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten
}

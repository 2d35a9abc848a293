import { open, type FileHandle } from 'node:fs/promises'
import { checkRange, type ByteSource } from '../byte-source.js'
import { SafetensorsError } from '../errors.js'

export interface FileSource extends ByteSource {
  close(): Promise<void>
}

/** A byte source over a local file; each slice is one positioned read into a fresh buffer. */
export async function openFileSource(path: string): Promise<FileSource> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new SafetensorsError('not-found', 'no such file', { file: path })
    throw error
  })
  const stats = await handle.stat()
  if (!stats.isFile()) {
    await handle.close()
    throw new SafetensorsError('invalid-tensor', 'not a regular file', { file: path })
  }
  const source: FileSource = {
    name: path,
    size: stats.size,
    fd: handle.fd,
    async slice(start, end) {
      checkRange(source, start, end)
      return readExactly(handle, start, end - start, path)
    },
    close: () => handle.close(),
  }
  return source
}

async function readExactly(handle: FileHandle, position: number, length: number, path: string): Promise<Uint8Array> {
  const buffer = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) {
      throw new SafetensorsError('truncated', `file ended after ${position + done} bytes while reading ${length} at ${position}`, { file: path })
    }
    done += bytesRead
  }
  return buffer
}

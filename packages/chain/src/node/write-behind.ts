import type { FileHandle } from 'node:fs/promises'

/** How far a caller may run ahead of the disk. */
const AHEAD_BYTES = 64 * 1024 * 1024

export interface WriteBehind {
  /** Appends a chunk (leave it unchanged); resolves while at most AHEAD_BYTES are still being written. */
  write(chunk: Uint8Array): Promise<void>
  /** Waits for every write; rejects with the first failure. */
  flush(): Promise<void>
}

/**
 * Appends chunks to a file by positioned writes without waiting for each, so the caller decodes
 * the next while the last is written; a failed write rejects the next call or flush().
 */
export function writeBehind(handle: FileHandle): WriteBehind {
  let position = 0
  let unwritten = 0
  let failure: unknown
  const pending = new Set<Promise<void>>()
  const writeAt = async (chunk: Uint8Array, at: number) => {
    for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done, chunk.length - done, at + done)).bytesWritten
  }
  const settled = () => {
    if (failure !== undefined) throw failure
  }
  return {
    async write(chunk) {
      settled()
      const task: Promise<void> = writeAt(chunk, position).then(
        () => {
          unwritten -= chunk.length
          pending.delete(task)
        },
        (error: unknown) => {
          failure ??= error
          pending.delete(task)
        },
      )
      pending.add(task)
      position += chunk.length
      unwritten += chunk.length
      while (unwritten > AHEAD_BYTES && failure === undefined) await Promise.race(pending)
      settled()
    },
    async flush() {
      await Promise.all(pending)
      settled()
    },
  }
}

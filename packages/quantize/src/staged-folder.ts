import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { syncFolder } from '@qchain/safetensors/node'
import { QuantizeError } from './errors.js'

export interface StagedFolder {
  /** Where to write: a hidden sibling of the target. */
  readonly dir: string
  /** Puts the folder in place of the target (replacing an older one) in two renames. */
  commit(): Promise<void>
  abort(): Promise<void>
}

/**
 * An output folder that appears complete or not at all: everything is written to a hidden
 * sibling, which replaces the target only once it is finished and synced. An interrupted run
 * leaves at most hidden `.name.*.partial` (and, killed between the two renames of commit,
 * `.name.*.old`) folders, never a target that looks complete but is not.
 */
export async function stageFolder(target: string): Promise<StagedFolder> {
  // commit() replaces what is at the target: an older folder, never a file the user pointed at by mistake.
  const existing = await stat(target).catch(() => undefined)
  if (existing && !existing.isDirectory()) throw new QuantizeError('output-exists', 'a file is here; the output is a folder', { file: target })
  const tag = randomBytes(6).toString('hex')
  const dir = join(dirname(target), `.${basename(target)}.${tag}.partial`)
  await mkdir(dir, { recursive: true })
  return {
    dir,
    async commit() {
      // Durable before it is visible: a crash after the rename must not leave empty files under the final name.
      await syncTree(dir)
      const previous = await stat(target).then(
        () => join(dirname(target), `.${basename(target)}.${tag}.old`),
        () => undefined,
      )
      if (previous) await rename(target, previous)
      await rename(dir, target)
      await syncFolder(dirname(target))
      if (previous) await rm(previous, { recursive: true, force: true })
    },
    abort: () => rm(dir, { recursive: true, force: true }),
  }
}

/** fsyncs every file and folder under `dir` (copied side files are not synced when written). */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await syncTree(path)
    else if (entry.isFile()) {
      const handle = await open(path, 'r')
      await handle.sync().finally(() => handle.close())
    }
  }
  await syncFolder(dir)
}

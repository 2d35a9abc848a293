import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export interface StagedFolder {
  /** Where to write: a hidden sibling of the target. */
  readonly dir: string
  /** Puts the folder in place of the target (replacing an older one) in two renames. */
  commit(): Promise<void>
  abort(): Promise<void>
}

/**
 * An output folder that appears complete or not at all: everything is written to a hidden
 * sibling, which replaces the target only once it is finished. An interrupted run leaves at
 * most a hidden `.name.*.partial` folder, never a target that looks complete.
 */
export async function stageFolder(target: string): Promise<StagedFolder> {
  const tag = randomBytes(6).toString('hex')
  const dir = join(dirname(target), `.${basename(target)}.${tag}.partial`)
  await mkdir(dir, { recursive: true })
  return {
    dir,
    async commit() {
      const previous = await stat(target).then(
        () => join(dirname(target), `.${basename(target)}.${tag}.old`),
        () => undefined,
      )
      if (previous) await rename(target, previous)
      await rename(dir, target)
      if (previous) await rm(previous, { recursive: true, force: true })
    },
    abort: () => rm(dir, { recursive: true, force: true }),
  }
}

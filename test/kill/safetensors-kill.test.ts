import { Buffer } from 'node:buffer'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isQchainError } from '@qchain/errors'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { describeKill, fromFirst, inParallel, killPlan, runNode, strayHiddenNames, visibleNames, type Run } from './killer.js'

const KILLS = 6
const script = (name: string) => ['--import', 'tsx', resolve(import.meta.dirname, 'writers', name)]

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qchain-kill-safetensors-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function completed(run: Promise<Run>): Promise<Run> {
  const done = await run
  expect(done.code, done.lines.join('\n')).toBe(0)
  return done
}

/** Every file's bytes in a folder, by name (hidden temporaries left out). */
async function folderBytes(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  for (const name of await visibleNames(dir)) files.set(name, await readFile(join(dir, name)))
  return files
}

/** Every tensor of the model in `dir`, or the typed error a reader refuses it with. */
async function readModel(dir: string): Promise<Map<string, Buffer> | 'refused'> {
  try {
    const folder = await openSafetensorsFolder(dir)
    try {
      const tensors = new Map<string, Buffer>()
      for (const name of folder.tensors.keys()) tensors.set(name, Buffer.from(await folder.read(name)))
      return tensors
    } finally {
      await folder.close()
    }
  } catch (error) {
    if (!isQchainError(error)) throw error
    return 'refused'
  }
}

const sameMap = (a: Map<string, Buffer>, b: Map<string, Buffer>) => a.size === b.size && [...a].every(([key, value]) => b.get(key)?.equals(value))

describe('SIGKILL while writing safetensors (writeSafetensorsFile, over writeFileAtomically)', () => {
  it('leaves the previous file or the new one, whole, and a re-run succeeds', async () => {
    const dir = join(root, 'file')
    const reference = join(root, 'file-reference')
    await mkdir(dir)
    await mkdir(reference)
    const path = join(dir, 'model.safetensors')
    await completed(runNode([...script('write-file.ts'), path, 'a'], root))
    const previous = await readFile(path)
    const { lines } = await completed(runNode([...script('write-file.ts'), join(reference, 'model.safetensors'), 'b'], root))
    const finished = await readFile(join(reference, 'model.safetensors'))
    expect(finished.equals(previous)).toBe(false)

    // Each kill starts from a copy of the folder holding the previous version.
    const kills = killPlan(0x5af3, lines, KILLS, (line) => line.startsWith('@fs rename'))
    const runs = await inParallel(kills, 3, async (kill, k) => {
      const copy = join(root, `file-${k}`)
      await cp(dir, copy, { recursive: true })
      const run = await runNode([...script('write-file.ts'), join(copy, 'model.safetensors'), 'b'], root, kill)
      return { copy, run, context: describeKill(kill, run) }
    })
    for (const { copy, context } of runs) {
      expect(await visibleNames(copy), context).toEqual(['model.safetensors'])
      expect(await strayHiddenNames(copy), context).toEqual([])
      const now = await readFile(join(copy, 'model.safetensors'))
      expect(now.equals(previous) || now.equals(finished), `${context}: ${now.length} bytes, neither version`).toBe(true)
    }
    expect(runs.filter(({ run }) => run.killed).length).toBeGreaterThan(0)
    const last = (runs.at(-1) as (typeof runs)[number]).copy
    await completed(runNode([...script('write-file.ts'), join(last, 'model.safetensors'), 'b'], root))
    expect((await readFile(join(last, 'model.safetensors'))).equals(finished)).toBe(true)
  }, 180_000)
})

describe('SIGKILL while createFolderWriter writes sharded weights into a folder', () => {
  it('the folder opens as the model it held before or the new one, or is refused; a re-run succeeds', async () => {
    // Starting states, each copied afresh for a kill: no model yet, model a (other tensors and
    // shard names), model c (b's shard names, other bytes). A config the writer does not own is in each.
    const starts = { empty: join(root, 'start-empty'), a: join(root, 'start-a'), c: join(root, 'start-c') }
    for (const [version, dir] of Object.entries(starts)) {
      await mkdir(dir)
      await writeFile(join(dir, 'config.json'), '{"model_type": "llama"}\n')
      if (version !== 'empty') await completed(runNode([...script('write-folder.ts'), dir, version], root))
    }
    const before = { empty: 'refused' as const, a: await readModel(starts.a), c: await readModel(starts.c) }
    const reference = join(root, 'folder-reference')
    await cp(starts.a, reference, { recursive: true })
    const { lines } = await completed(runNode([...script('write-folder.ts'), reference, 'b'], root))
    const finished = await readModel(reference)
    const finishedFiles = await folderBytes(reference)
    // b replaced a: 3 shards, their index, and the untouched config.
    expect([...finishedFiles.keys()]).toEqual(['config.json', 'model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors', 'model.safetensors.index.json'])

    // Four kills from each starting state, most of them in finish(), where files change names.
    const focus = fromFirst(lines, (line) => line.startsWith('@fs rm') || line.startsWith('@fs rename'))
    const kills = (['empty', 'a', 'c'] as const).flatMap((start, s) => killPlan(0xf01d + s, lines, 4, focus).map((kill) => ({ start, kill })))
    const runs = await inParallel(kills, 3, async ({ start, kill }, k) => {
      const dir = join(root, `folder-${k}`)
      await cp(starts[start], dir, { recursive: true })
      const run = await runNode([...script('write-folder.ts'), dir, 'b'], root, kill)
      return { dir, start, run, context: `from ${start}, ${describeKill(kill, run)}` }
    })
    for (const { dir, start, context } of runs) {
      expect(await strayHiddenNames(dir), context).toEqual([])
      expect(await readFile(join(dir, 'config.json'), 'utf8'), context).toBe('{"model_type": "llama"}\n')
      const model = await readModel(dir)
      if (model !== 'refused') {
        const previous = before[start]
        expect((previous !== 'refused' && sameMap(model, previous)) || sameMap(model, finished as Map<string, Buffer>), `${context}: opens as ${model.size} tensors of neither version`).toBe(true)
      }
    }
    expect(runs.filter(({ run }) => run.killed).length).toBeGreaterThan(0)
    const dir = (runs.at(-1) as (typeof runs)[number]).dir
    await completed(runNode([...script('write-folder.ts'), dir, 'b'], root))
    expect(sameMap(await folderBytes(dir), finishedFiles)).toBe(true)
  }, 240_000)

  it('a lone shard of several, without its index, is refused rather than read as a whole model', async () => {
    const dir = join(root, 'lone-shard')
    await completed(runNode([...script('write-folder.ts'), dir, 'b'], root))
    await rm(join(dir, 'model.safetensors.index.json'))
    for (const name of ['model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']) await rm(join(dir, name))
    await expect(openSafetensorsFolder(dir)).rejects.toMatchObject({ problem: 'invalid-index', message: expect.stringMatching(/one of 3 shards/) })
  }, 60_000)
})

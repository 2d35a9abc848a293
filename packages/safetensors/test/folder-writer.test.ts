import { readdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { createFolderWriter, openSafetensorsFolder, type SafetensorsFolder } from '../src/node/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-folder-writer-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Copies every tensor of `source` through a folder writer, in reverse order, into `out`. */
async function copyThroughWriter(source: SafetensorsFolder, out: string, maxShardBytes?: number): Promise<string[]> {
  const specs = [...source.tensors.values()].map(({ info }) => ({ name: info.name, dtype: info.dtype, shape: info.shape }))
  const writer = await createFolderWriter(out, specs, maxShardBytes === undefined ? {} : { maxShardBytes })
  for (const spec of [...specs].reverse()) await writer.write(spec.name, await source.read(spec.name))
  return (await writer.finish()).files
}

describe.skipIf(!hasFixture('babyllama-105-bf16'))('createFolderWriter', () => {
  it('writes tensors given in any order into one file, or into shards with an index', async () => {
    const source = await openSafetensorsFolder(fixturePath('babyllama-105-bf16'))
    try {
      expect(await copyThroughWriter(source, join(dir, 'single'))).toEqual(['model.safetensors'])
      const shardFiles = await copyThroughWriter(source, join(dir, 'sharded'), 600_000)
      expect(shardFiles).toEqual(['model-00001-of-00004.safetensors', 'model-00002-of-00004.safetensors', 'model-00003-of-00004.safetensors', 'model-00004-of-00004.safetensors'])
      for (const out of ['single', 'sharded']) {
        const copy = await openSafetensorsFolder(join(dir, out))
        try {
          expect([...copy.tensors.keys()].sort()).toEqual([...source.tensors.keys()].sort())
          for (const name of source.tensors.keys()) expect(Buffer.compare(await copy.read(name), await source.read(name)), name).toBe(0)
        } finally {
          await copy.close()
        }
      }
      expect((await readdir(join(dir, 'sharded'))).sort()).toEqual([...shardFiles, 'model.safetensors.index.json'].sort())
    } finally {
      await source.close()
    }
  })
})

describe('createFolderWriter refuses misuse and leaves nothing behind', () => {
  it('a missing tensor at finish, a wrong size, an unknown or repeated name', async () => {
    const out = join(dir, 'bad')
    const writer = await createFolderWriter(out, [
      { name: 'a', dtype: 'F32', shape: [2] },
      { name: 'b', dtype: 'U8', shape: [3] },
    ])
    await expect(writer.write('a', new Uint8Array(4))).rejects.toMatchObject({ problem: 'size-mismatch', context: { tensor: 'a' } })
    await expect(writer.write('c', new Uint8Array(1))).rejects.toMatchObject({ problem: 'unknown-tensor' })
    await writer.write('b', new Uint8Array(3))
    await expect(writer.write('b', new Uint8Array(3))).rejects.toThrow(/written twice/)
    await expect(writer.finish()).rejects.toThrow(/never written, first a/)
    expect(await readdir(out)).toEqual([])
  })
})

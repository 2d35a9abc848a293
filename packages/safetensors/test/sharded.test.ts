import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeHeader, SafetensorsError } from '../src/index.js'
import { openSafetensorsFolder, writeSafetensorsFile } from '../src/node/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-sharded-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Writes two shards (tensor a; tensors b and c) and an index (given as an object) into a fresh folder. */
async function shardedFolder(name: string, weightMap: Record<string, string>): Promise<string> {
  const folder = join(dir, name)
  await mkdir(folder)
  for (const [index, tensors] of [['a'], ['b', 'c']].entries()) {
    const header = encodeHeader(tensors.map((name) => ({ name, dtype: 'F32', shape: [1] })))
    await writeSafetensorsFile(join(folder, `model-0000${index + 1}-of-00002.safetensors`), header, () => new Uint8Array(4).fill(index + 1))
  }
  await writeFile(join(folder, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 16 }, weight_map: weightMap }))
  return folder
}

const GOOD_MAP = { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00002-of-00002.safetensors' }

describe('sharded folders', () => {
  it('reads every tensor through the index', async () => {
    const folder = await openSafetensorsFolder(await shardedFolder('good', GOOD_MAP))
    try {
      expect([...folder.tensors.keys()]).toEqual(['a', 'b', 'c'])
      expect(folder.index?.parsed.shards).toEqual([GOOD_MAP.a, GOOD_MAP.b])
      expect(Array.from(await folder.read('c'))).toEqual([2, 2, 2, 2])
    } finally {
      await folder.close()
    }
  })

  it.each([
    ['a tensor the index puts in the wrong shard', { ...GOOD_MAP, a: GOOD_MAP.b }, /does not hold it/],
    ['a tensor missing from the weight map', { a: GOOD_MAP.a, b: GOOD_MAP.b }, /missing from the weight map/],
    ['a shard name that leaves the folder', { ...GOOD_MAP, a: '../model-00001-of-00002.safetensors' }, /plain .safetensors file name/],
  ])('refuses %s', async (label, weightMap, message) => {
    const path = await shardedFolder(label.replaceAll(' ', '-'), weightMap)
    const error = await openSafetensorsFolder(path).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SafetensorsError)
    expect((error as SafetensorsError).message).toMatch(message)
  })

  it('names a missing folder', async () => {
    await expect(openSafetensorsFolder(join(dir, 'nope'))).rejects.toMatchObject({ problem: 'not-found' })
  })
})

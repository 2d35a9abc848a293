import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_NAMES, fixturePath, hasFixture, MISSING_FIXTURES_MESSAGE } from '@qchain/fixtures'
import { bytesSource, dtypeSize, encodeHeader, openSafetensors, type Dtype } from '../src/index.js'
import { openSafetensorsFolder, writeSafetensorsFile } from '../src/node/index.js'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-safetensors-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!FIXTURE_NAMES.every(hasFixture))('fixtures round trip byte for byte', () => {
  it.each(FIXTURE_NAMES)('%s: read then write gives identical bytes', async (name) => {
    const folder = await openSafetensorsFolder(fixturePath(name))
    try {
      const [fileName, file] = [...folder.files][0] as [string, Awaited<ReturnType<typeof openSafetensors>>]
      const out = join(dir, `${name}.safetensors`)
      await writeSafetensorsFile(out, file.header, (info) => file.read(info.name))
      const original = await readFile(fixturePath(name, fileName))
      expect(sha256(await readFile(out))).toBe(sha256(original))
    } finally {
      await folder.close()
    }
  })
})
if (!FIXTURE_NAMES.every(hasFixture)) console.warn(MISSING_FIXTURES_MESSAGE)

describe('encodeHeader writes new files that readers accept', () => {
  it('aligns every tensor to its element size and the data section to 8 bytes', async () => {
    const specs: { name: string; dtype: Dtype; shape: number[] }[] = [
      { name: 'bytes', dtype: 'U8', shape: [3] },
      { name: 'halves', dtype: 'F16', shape: [5] },
      { name: 'doubles', dtype: 'F64', shape: [2, 2] },
      { name: 'flags', dtype: 'BOOL', shape: [1] },
      { name: 'floats', dtype: 'F32', shape: [3] },
    ]
    const header = encodeHeader(specs, { format: 'pt' })
    expect(header.dataStart % 8).toBe(0)
    for (const info of header.tensors) expect(info.begin % dtypeSize(info.dtype)).toBe(0)
    const contents = new Map(header.tensors.map((info, i) => [info.name, new Uint8Array(info.end - info.begin).fill(i + 1)]))
    const out = join(dir, 'new.safetensors')
    await writeSafetensorsFile(out, header, (info) => contents.get(info.name) as Uint8Array)
    const reopened = await openSafetensors(bytesSource(new Uint8Array(await readFile(out)), out))
    expect(reopened.header.metadata).toEqual({ format: 'pt' })
    for (const spec of specs) {
      expect(reopened.tensors.get(spec.name)?.shape).toEqual(spec.shape)
      expect(await reopened.read(spec.name)).toEqual(contents.get(spec.name))
    }
  })

  it('refuses duplicate names and impossible shapes', () => {
    expect(() => encodeHeader([{ name: 'a', dtype: 'U8', shape: [1] }, { name: 'a', dtype: 'U8', shape: [1] }])).toThrow(/used twice/)
    expect(() => encodeHeader([{ name: 'a', dtype: 'U8', shape: [1.5] }])).toThrow(/not a valid shape/)
  })

  it('a writer given the wrong number of bytes fails and leaves no file', async () => {
    const header = encodeHeader([{ name: 'a', dtype: 'F32', shape: [2] }])
    const out = join(dir, 'short.safetensors')
    await expect(writeSafetensorsFile(out, header, () => new Uint8Array(4))).rejects.toMatchObject({ problem: 'size-mismatch' })
    await expect(readFile(out)).rejects.toThrow()
  })
})

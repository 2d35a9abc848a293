import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesSource } from '@qchain/safetensors'
import { createMemoryWriter, FOOTER_BYTES, openContainer, type Container } from '../src/index.js'
import { createContainerWriter, openContainerFile } from '../src/node/index.js'
import { LEVELS, recording, writeChain, type WrittenChain } from './chain.js'

let dir: string
let bytes: Uint8Array
let written: WrittenChain
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-format-'))
  const writer = createMemoryWriter({ levels: LEVELS, metadata: { model: 'tiny' } }, 'chain.qchain')
  written = await writeChain(writer)
  bytes = await writer.finish()
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function expectContents(container: Container): Promise<void> {
  expect(container.levels).toEqual(['4', '8', '16'])
  expect(container.chain('16')).toEqual(['16', '8', '4'])
  expect(container.index.metadata).toEqual({ model: 'tiny' })
  const all = await container.readSections([...written.sections.keys()])
  for (const [id, expected] of written.sections) expect(Buffer.compare(all.get(id) as Uint8Array, expected), `section ${id}`).toBe(0)
  for (const [level, files] of written.files) {
    for (const [name, expected] of files) expect(Buffer.compare(await container.readFile(level, name), expected), `${level}/${name}`).toBe(0)
  }
  expect(container.tensor('8', 'q.qweight')).toMatchObject({ given: ['q.qweight', 'q.scales'], params: { bits: 8, sym: true } })
  expect((await container.verify()).sections).toBe(written.sections.size + container.index.sections.filter((s) => s.role === 'file').length)
}

describe('a 3-level chain round trips', () => {
  it('through memory', async () => {
    await expectContents(await openContainer(bytesSource(bytes, 'chain.qchain')))
  })

  it('through a file, byte for byte the same as the memory writer', async () => {
    const path = join(dir, 'chain.qchain')
    const writer = await createContainerWriter(path, { levels: LEVELS, metadata: { model: 'tiny' } })
    await writeChain(writer)
    const { size } = await writer.finish()
    const onDisk = new Uint8Array(await readFile(path))
    expect(size).toBe(onDisk.length)
    expect(Buffer.compare(onDisk, bytes)).toBe(0)
    expect(await readdir(dir)).toEqual(['chain.qchain']) // no temporary left behind
    const container = await openContainerFile(path)
    try {
      await expectContents(container)
    } finally {
      await container.close()
    }
  })

  it('stores shared tensors and identical verbatim files once', async () => {
    const container = await openContainer(bytesSource(bytes))
    const embed = LEVELS.map(({ name }) => container.tensor(name, 'model.embed_tokens.weight').sections)
    expect(new Set(embed.flat()).size).toBe(1)
    const tokenizer = LEVELS.map(({ name }) => container.files(name).get('tokenizer.json')?.sections[0])
    expect(new Set(tokenizer).size).toBe(1)
    expect(container.index.sections[embed[0]?.[0] as number]?.level).toBeNull()
  })
})

describe('planning reads only what a level needs', () => {
  const sectionsOf = (container: Container, levels: string[]) => container.index.sections.filter((s) => s.level !== null && levels.includes(s.level))

  it('level 4 touches no byte of level 8 or 16', async () => {
    const source = recording(bytesSource(bytes))
    const container = await openContainer(source)
    const plan = container.planLevel('4')
    expect(plan.chain).toEqual(['4'])
    await container.readSections(plan.sections)
    for (const file of container.files('4').values()) if (file.kind === 'verbatim') await container.readFile('4', file.name)
    for (const section of sectionsOf(container, ['8', '16'])) {
      for (const [start, end] of source.ranges) expect(end <= section.offset || start >= section.offset + section.length).toBe(true)
    }
    expect(plan.bytes).toBe(plan.sections.reduce((sum, id) => sum + (container.index.sections[id]?.length ?? 0), 0))
  })

  it('level 8 needs the level 4 tensors it is coded given, and nothing of 16', async () => {
    const container = await openContainer(bytesSource(bytes))
    const plan = container.planLevel('8')
    const levels = new Set(plan.sections.map((id) => container.index.sections[id]?.level))
    expect(levels).toEqual(new Set([null, '4', '8']))
    for (const id of container.tensor('4', 'q.scales').sections) expect(plan.sections).toContain(id)
    for (const section of sectionsOf(container, ['16'])) expect(plan.sections).not.toContain(container.index.sections.indexOf(section))
  })

  it('one tensor of 16 needs its own chain of given tensors only', async () => {
    const container = await openContainer(bytesSource(bytes))
    const plan = container.planTensor('16', 'q.weight')
    const expected = [container.tensor('16', 'q.weight'), container.tensor('8', 'q.qweight'), container.tensor('4', 'q.qweight'), container.tensor('4', 'q.scales')]
    expect(plan.sections).toEqual([...new Set(expected.flatMap((t) => t.sections))].sort((a, b) => a - b))
    expect(plan.chain).toEqual(['16', '8', '4'])
  })

  it('opening costs two ranged reads: the footer, then the index', async () => {
    const source = recording(bytesSource(bytes))
    await openContainer(source)
    expect(source.ranges).toEqual([[bytes.length - FOOTER_BYTES, bytes.length], [source.ranges[1]?.[0], bytes.length - FOOTER_BYTES]])
  })

  it('adjacent sections come in one ranged read', async () => {
    const source = recording(bytesSource(bytes))
    const container = await openContainer(source)
    const ids = container.index.sections.map((_, id) => id)
    await container.readSections(ids)
    expect(source.ranges).toHaveLength(3)
  })
})

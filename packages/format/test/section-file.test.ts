import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { openSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesSource } from '@qchain/safetensors'
import { createMemoryWriter, FormatError, openContainer, type Container } from '../src/index.js'
import { readSpansSync, SectionScratch } from '../src/node/index.js'
import { LEVELS, writeChain } from './chain.js'

let dir: string
let bytes: Uint8Array
let container: Container
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-spans-'))
  const writer = createMemoryWriter({ levels: LEVELS })
  await writeChain(writer)
  bytes = await writer.finish()
  container = await openContainer(bytesSource(bytes))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs `read` over a file holding `content`, by descriptor, as a worker thread would. */
async function withFile<T>(name: string, content: Uint8Array, read: (fd: number, path: string) => T): Promise<T> {
  const path = join(dir, name)
  await writeFile(path, content)
  const fd = openSync(path, 'r')
  try {
    return read(fd, path)
  } finally {
    closeSync(fd)
  }
}

const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('sections read by descriptor', () => {
  it('gives the bytes readSections gives, in the order asked, neighbours or not, repeats included', async () => {
    const count = container.index.sections.length
    const ids = [count - 1, 0, 2, 1, 2, Math.floor(count / 2)]
    const expected = await container.readSections(ids)
    const spans = container.sectionSpans(ids)
    expect(spans.map((span) => span.id)).toEqual(ids)
    const read = await withFile('good.qchain', bytes, (fd, path) => readSpansSync(fd, path, spans))
    read.forEach((part, i) => expect(Buffer.compare(part, expected.get(ids[i] as number) as Uint8Array), `section ${ids[i]}`).toBe(0))
    for (const part of read) expect(part.byteOffset % 8, 'views keep the 8-byte alignment of the file').toBe(0)
  })

  it('reads into one kept buffer through a SectionScratch, the same bytes, aligned; a read larger than it keeps gets its own', async () => {
    const count = container.index.sections.length
    const ids = [count - 1, 0, 2, Math.floor(count / 2)]
    const expected = await container.readSections(ids)
    const spans = container.sectionSpans(ids)
    const total = spans.reduce((sum, span) => sum + span.length, 0)
    const scratch = new SectionScratch(4 * total)
    await withFile('scratch.qchain', bytes, (fd, path) => {
      const first = readSpansSync(fd, path, spans, scratch.space)
      const buffer = first[0]?.buffer
      first.forEach((part, i) => expect(Buffer.compare(part, expected.get(ids[i] as number) as Uint8Array), `section ${ids[i]}`).toBe(0))
      for (const part of first) expect(part.byteOffset % 8).toBe(0)
      const again = readSpansSync(fd, path, spans.slice(1), scratch.space)
      expect(again.every((part) => part.buffer === buffer && scratch.holds(part))).toBe(true)
      const own = readSpansSync(fd, path, spans, new SectionScratch(total >> 1).space)
      expect(own.some((part) => scratch.holds(part))).toBe(false)
      own.forEach((part, i) => expect(Buffer.compare(part, expected.get(ids[i] as number) as Uint8Array)).toBe(0))
    })
  })

  it('refuses a damaged section, naming it; the container names its role, level and user', async () => {
    const [span] = container.sectionSpans([1])
    if (!span || span.length === 0) throw new Error('the test chain needs a non-empty section 1')
    const damaged = bytes.slice()
    damaged[span.offset + (span.length >> 1)] ^= 0x10
    const error = await withFile('damaged.qchain', damaged, (fd, path) => thrown(() => readSpansSync(fd, path, [span])))
    expect(error).toBeInstanceOf(FormatError)
    expect((error as FormatError).problem).toBe('section-checksum')
    expect((error as FormatError).context).toMatchObject({ field: 'section 1', file: join(dir, 'damaged.qchain') })
    const named = container.damagedSection(1)
    expect(named.problem).toBe('section-checksum')
    expect(named.message).toMatch(/section 1 \(.*level .*\) is damaged/)
  })

  it('refuses a file that ends before the section does, as truncated', async () => {
    const spans = container.sectionSpans([container.index.sections.length - 1])
    const last = spans[0] as { offset: number; length: number }
    const error = await withFile('cut.qchain', bytes.subarray(0, last.offset + (last.length >> 1)), (fd, path) => thrown(() => readSpansSync(fd, path, spans)))
    expect(error instanceof FormatError && error.problem).toBe('truncated')
  })

  it('refuses section numbers the index does not have before reading anything', () => {
    for (const id of [-1, 1.5, container.index.sections.length]) {
      const error = thrown(() => container.sectionSpans([id]))
      expect(error instanceof FormatError && [error.problem, error.context.field]).toEqual(['not-found', `section ${id}`])
    }
  })
})

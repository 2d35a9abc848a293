import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesSource } from '@qchain/safetensors'
import { createMemoryWriter, FormatError, openContainer, type FormatProblem, type TensorInput } from '../src/index.js'
import { createContainerWriter } from '../src/node/index.js'
import { LEVELS } from './chain.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-writer-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function expectProblem(action: () => unknown, problem: FormatProblem, context: object = {}): void {
  let error: unknown
  try {
    action()
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(FormatError)
  expect(error).toMatchObject({ problem, context })
}

const tensor = (name: string, sections: number[], extra: Partial<TensorInput> = {}): TensorInput => ({
  name, file: 'model.safetensors', dtype: 'I32', shape: [2], codec: 'raw', sections, sha256: '0'.repeat(64), ...extra,
})

/** A writer for the 3-level chain with a tensor file declared in every level. */
function chainWriter() {
  const writer = createMemoryWriter({ levels: LEVELS }, 'w.qchain')
  for (const { name } of LEVELS) writer.addRebuiltFile(name, { name: 'model.safetensors', size: 8, sha256: '1'.repeat(64) })
  return writer
}

describe('the writer refuses mistakes when they are made', () => {
  it('bad chains', () => {
    expectProblem(() => createMemoryWriter({ levels: [] }), 'invalid-entry')
    expectProblem(() => createMemoryWriter({ levels: [{ name: '4', parent: null }, { name: '8', parent: null }] }), 'invalid-entry')
    expectProblem(() => createMemoryWriter({ levels: [{ name: '4', parent: null }, { name: '8', parent: '16' }, { name: '16', parent: '8' }] }), 'invalid-entry', { level: '8' })
    expectProblem(() => createMemoryWriter({ levels: [{ name: '4 bits', parent: null }] }), 'invalid-entry', { level: '4 bits' })
  })

  it('unknown levels, bad roles, bad entries', async () => {
    const writer = chainWriter()
    await expect(writer.addSection(new Uint8Array(1), { role: 'raw', level: '2' })).rejects.toMatchObject({ problem: 'invalid-entry', context: { level: '2' } })
    await expect(writer.addSection(new Uint8Array(1), { role: 'Raw Bytes', level: '4' })).rejects.toMatchObject({ problem: 'invalid-entry' })
    await expect(writer.addFile('4', '../config.json', new Uint8Array(1))).rejects.toMatchObject({ problem: 'invalid-entry' })
    expectProblem(() => writer.addTensor('4', tensor('w', [], { shape: [-1] })), 'invalid-entry', { level: '4', tensor: 'w' })
    expectProblem(() => writer.addTensor('4', tensor('w', [], { sha256: 'nope' })), 'invalid-entry', { tensor: 'w' })
    expectProblem(() => writer.addRebuiltFile('4', { name: 'x.safetensors', size: -1, sha256: '1'.repeat(64) }), 'invalid-entry', { level: '4' })
  })

  it('cross references are checked at finish, naming the tensor', async () => {
    const cases: [(writer: ReturnType<typeof chainWriter>, ids: number[]) => void, object][] = [
      // level 4 may not use a section of level 8, which is built on it
      [(w, [a, b]) => {
        w.addTensor('4', tensor('w', [a as number, b as number]))
      }, { level: '4', tensor: 'w' }],
      [(w, [a, b]) => {
        w.addTensor('4', tensor('w', [a as number]))
        w.addTensor('8', tensor('w', [b as number], { given: ['missing'] }))
      }, { level: '8', tensor: 'w', field: 'given' }],
      [(w, [a]) => {
        w.addTensor('4', tensor('w', [a as number])) // the level 8 section is left unused
      }, { field: 'sections' }],
      [(w, [a, b]) => {
        w.addTensor('4', tensor('w', [a as number]))
        w.addTensor('8', tensor('w', [b as number], { file: 'other.safetensors' }))
      }, { level: '8', tensor: 'w', field: 'file' }],
    ]
    for (const [mistake, context] of cases) {
      const writer = chainWriter()
      const ids = [await writer.addSection(new Uint8Array(3), { role: 'raw', level: '4' }), await writer.addSection(new Uint8Array(3), { role: 'raw', level: '8' })]
      mistake(writer, ids)
      await expect(writer.finish()).rejects.toMatchObject({ problem: 'invalid-entry', category: 'usage', context })
    }
  })

  it('nothing is accepted after finish()', async () => {
    const writer = createMemoryWriter({ levels: [{ name: '4', parent: null }] })
    await writer.addFile('4', 'config.json', new Uint8Array(2))
    await writer.finish()
    await expect(writer.addSection(new Uint8Array(1), { role: 'raw', level: '4' })).rejects.toMatchObject({ problem: 'writer-closed' })
    await expect(writer.finish()).rejects.toMatchObject({ problem: 'writer-closed' })
  })

  it('a file writer that fails or is aborted leaves nothing behind', async () => {
    const failing = await createContainerWriter(join(dir, 'failing.qchain'), { levels: [{ name: '4', parent: null }] })
    await failing.addSection(new Uint8Array(10), { role: 'raw', level: '4' }) // never used: finish refuses
    await expect(failing.finish()).rejects.toMatchObject({ problem: 'invalid-entry' })
    const aborted = await createContainerWriter(join(dir, 'aborted.qchain'), { levels: [{ name: '4', parent: null }] })
    await aborted.addFile('4', 'config.json', new Uint8Array(2))
    await aborted.abort()
    expect(await readdir(dir)).toEqual([])
  })
})

describe('the writer keeps its promises', () => {
  it('finish() waits for files still being hashed', async () => {
    const writer = createMemoryWriter({ levels: [{ name: '4', parent: null }] })
    const adding = writer.addFile('4', 'tokenizer.json', new Uint8Array(100_000).fill(7))
    const bytes = await writer.finish()
    await adding
    const container = await openContainer(bytesSource(bytes))
    expect((await container.readFile('4', 'tokenizer.json')).length).toBe(100_000)
  })
})

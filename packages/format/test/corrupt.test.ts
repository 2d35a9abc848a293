import { beforeAll, describe, expect, it } from 'vitest'
import { bytesSource, type ByteSource } from '@qchain/safetensors'
import { createMemoryWriter, FOOTER_BYTES, FormatError, HEADER_BYTES, openContainer, xxh32, type ContainerIndex, type FormatProblem } from '../src/index.js'
import { encodeFooter } from '../src/footer.js'
import { LEVELS, writeChain } from './chain.js'

const FILE = 'bad.qchain'
let bytes: Uint8Array
let index: ContainerIndex
let indexOffset: number
beforeAll(async () => {
  const writer = createMemoryWriter({ levels: LEVELS })
  await writeChain(writer)
  bytes = await writer.finish()
  const container = await openContainer(bytesSource(bytes))
  index = container.index
  indexOffset = bytes.length - FOOTER_BYTES - new TextEncoder().encode(JSON.stringify(index)).length
})

async function caught(promise: Promise<unknown>): Promise<FormatError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(FormatError)
  const typed = error as FormatError
  expect(typed.context.file).toBe(FILE)
  expect(typed.message).toContain(FILE)
  return typed
}

const flipped = (at: number, mask = 0x5a) => {
  const copy = bytes.slice()
  copy[at] = (copy[at] as number) ^ mask
  return copy
}

/** Positions spread over [start, end): both ends and `count` evenly spaced ones between. */
function sample(start: number, end: number, count: number): number[] {
  if (end <= start) return []
  const step = Math.max(1, Math.floor((end - start) / count))
  const positions = new Set([start, end - 1])
  for (let at = start; at < end; at += step) positions.add(at)
  return [...positions]
}

/** The same sections under a rewritten index, with checksums that match it. */
function withIndex(mutate: (index: ContainerIndex & Record<string, unknown>) => void): Uint8Array {
  const edited = structuredClone(index) as ContainerIndex & Record<string, unknown>
  mutate(edited)
  const json = new TextEncoder().encode(JSON.stringify(edited))
  const out = new Uint8Array(indexOffset + json.length + FOOTER_BYTES)
  out.set(bytes.subarray(0, indexOffset))
  out.set(json, indexOffset)
  out.set(encodeFooter(indexOffset, json.length, xxh32(json)), indexOffset + json.length)
  return out
}

/** A footer that passes its own checksum, with whatever fields a test wants. */
function withFooter(edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice()
  const footer = copy.subarray(copy.length - FOOTER_BYTES)
  const view = new DataView(footer.buffer, footer.byteOffset, FOOTER_BYTES)
  edit(view)
  view.setUint32(28, xxh32(footer.subarray(0, 28)), true)
  return copy
}

/** A source that refuses big reads, to prove lengths are checked before anything is read or allocated. */
function smallReadsOnly(data: Uint8Array, limit: number): ByteSource {
  const inner = bytesSource(data, FILE)
  return { ...inner, slice: (start, end) => (end - start > limit ? Promise.reject(new Error(`read of ${end - start} bytes`)) : inner.slice(start, end)) }
}

const open = (data: Uint8Array) => openContainer(bytesSource(data, FILE))

describe('every damaged byte is caught, with an error naming the region', () => {
  it('footer: each of its 40 bytes', async () => {
    const allowed: FormatProblem[] = ['no-footer', 'unsupported-version', 'footer-checksum']
    for (let at = bytes.length - FOOTER_BYTES; at < bytes.length; at++) {
      const error = await caught(open(flipped(at)))
      expect(allowed).toContain(error.problem)
      expect(error.context.field).toBe('footer')
    }
  })

  it('index: sampled bytes', async () => {
    for (const at of sample(indexOffset, bytes.length - FOOTER_BYTES, 60)) {
      const error = await caught(open(flipped(at, 0x01)))
      expect(error.problem).toBe('index-checksum')
      expect(error.context.field).toBe('index')
    }
  })

  it('each section: sampled bytes fail that section only, naming level and tensor', async () => {
    for (const [id, section] of index.sections.entries()) {
      for (const at of sample(section.offset, section.offset + section.length, 6)) {
        const container = await open(flipped(at))
        const error = await caught(container.readSection(id))
        expect(error.problem).toBe('section-checksum')
        expect(error.category).toBe('verification')
        expect(error.context.field).toBe(`section ${id}`)
        expect(error.context.level).toBeDefined()
        const other = (id + 1) % index.sections.length
        await expect(container.readSection(other)).resolves.toHaveLength(index.sections[other]?.length as number)
        expect((await caught(container.verify())).problem).toBe('section-checksum')
      }
    }
    const used = index.levels.find((l) => l.name === '8')?.tensors.find((t) => t.name === 'q.qweight')?.sections.at(-1) as number
    const error = await caught((await open(flipped(index.sections[used]?.offset as number))).readSection(used))
    expect(error.context).toMatchObject({ level: '8', tensor: 'q.qweight' })
    expect(error.message).toMatch(/section \d+ \(residual, level 8, used by tensor q\.qweight of level 8\)/)
  })

  it('a damaged verbatim file fails with its section named', async () => {
    const id = index.levels[0]?.files.find((f) => f.name === 'config.json')?.sections[0] as number
    const container = await open(flipped((index.sections[id]?.offset as number) + 3))
    const error = await caught(container.readFile('4', 'config.json'))
    expect(error.problem).toBe('section-checksum')
    expect(error.detail).toContain('file config.json')
  })

  it('header and padding: caught by verify()', async () => {
    for (let at = 0; at < HEADER_BYTES; at++) {
      const container = await open(flipped(at))
      expect((await caught(container.verify())).problem).toBe('bad-header')
    }
    const padded = index.sections.find((s) => s.length % 8 !== 0)
    expect(padded).toBeDefined()
    const container = await open(flipped((padded?.offset as number) + (padded?.length as number)))
    expect((await caught(container.verify())).problem).toBe('bad-padding')
  })
})

describe('truncated, foreign and future files', () => {
  it('truncation anywhere', async () => {
    for (const length of [0, 10, HEADER_BYTES + FOOTER_BYTES - 1, 1000, indexOffset, bytes.length - 1, bytes.length - FOOTER_BYTES]) {
      const error = await caught(open(bytes.subarray(0, length)))
      expect(['truncated', 'no-footer']).toContain(error.problem)
    }
  })

  it('bytes appended after the footer', async () => {
    const longer = new Uint8Array(bytes.length + 5)
    longer.set(bytes)
    expect((await caught(open(longer))).problem).toBe('no-footer')
  })

  it('a future version says which versions this build reads', async () => {
    const error = await caught(open(withFooter((view) => view.setUint32(24, 2, true))))
    expect(error.problem).toBe('unsupported-version')
    expect(error.category).toBe('unsupported')
    expect(error.message).toContain('version 2; this build reads version 1')
  })

  it('huge or inconsistent footer fields are refused before reading', async () => {
    const cases: [(view: DataView) => void, FormatProblem][] = [
      [(view) => view.setBigUint64(8, 2n ** 60n, true), 'index-too-large'],
      [(view) => view.setBigUint64(8, 200n * 1024n * 1024n, true), 'bad-footer'],
      [(view) => view.setBigUint64(0, 2n ** 63n, true), 'bad-footer'],
      [(view) => view.setBigUint64(0, 3n, true), 'bad-footer'],
      [(view) => view.setUint32(20, 1, true), 'bad-footer'],
    ]
    for (const [edit, problem] of cases) {
      const error = await caught(openContainer(smallReadsOnly(withFooter(edit), FOOTER_BYTES)))
      expect(error.problem).toBe(problem)
    }
  })
})

describe('indexes that pass their checksum but lie', () => {
  const expectIndexProblem = async (mutate: (index: ContainerIndex & Record<string, unknown>) => void, problem: FormatProblem, context: object = {}) => {
    const error = await caught(open(withIndex(mutate)))
    expect(error.problem).toBe(problem)
    expect(error.context).toMatchObject(context)
    return error
  }

  it('the round trip of the helper itself is accepted', async () => {
    await expect(open(withIndex(() => undefined))).resolves.toBeDefined()
  })

  it('a loop in the levels fails fast instead of hanging', async () => {
    await expectIndexProblem((i) => {
      ;(i.levels[1] as { parent: string }).parent = '16'
    }, 'level-cycle')
    await expectIndexProblem((i) => {
      ;(i.levels[2] as { parent: string }).parent = '16'
    }, 'level-cycle', { level: '16' })
  })

  it('bad topology', async () => {
    await expectIndexProblem((i) => {
      ;(i.levels[1] as { parent: string | null }).parent = null
    }, 'invalid-index')
    await expectIndexProblem((i) => {
      ;(i.levels[1] as { parent: string }).parent = '2'
    }, 'invalid-index', { level: '8' })
  })

  it('huge section lengths and offsets are refused before any section is read', async () => {
    for (const edit of [{ length: 2 ** 52 }, { offset: 2 ** 52 }, { length: -1 }, { offset: 1.5 }]) {
      const data = withIndex((i) => Object.assign(i.sections[0] as object, edit))
      const error = await caught(openContainer(smallReadsOnly(data, data.length - indexOffset)))
      expect(error.problem).toBe('invalid-index')
    }
  })

  it('a level reaching into a descendant or a sibling section', async () => {
    const level16 = index.sections.findIndex((s) => s.level === '16')
    await expectIndexProblem((i) => {
      i.levels[0]?.tensors[0]?.sections.push(level16)
    }, 'invalid-index', { level: '4', tensor: 'model.embed_tokens.weight' })
  })

  it('dangling references', async () => {
    await expectIndexProblem((i) => {
      i.levels[0]?.tensors[0]?.sections.push(10_000)
    }, 'invalid-index', { level: '4' })
    await expectIndexProblem((i) => {
      i.levels[1]?.tensors.find((t) => t.given.length > 0)?.given.push('missing')
    }, 'invalid-index', { level: '8', field: 'given' })
    await expectIndexProblem((i) => {
      ;(i.levels[0]?.tensors[0] as { file: string }).file = 'config.json'
    }, 'invalid-index', { level: '4', field: 'file' })
  })

  it('a section nobody uses, and sections out of order', async () => {
    await expectIndexProblem((i) => {
      for (const level of i.levels) for (const tensor of level.tensors) tensor.sections = tensor.sections.filter((id) => id !== 0)
    }, 'invalid-index', { field: 'sections' })
    await expectIndexProblem((i) => {
      const [a, b] = [i.sections[0], i.sections[1]] as [object, object]
      i.sections[0] = b as never
      i.sections[1] = a as never
    }, 'invalid-index')
  })

  it('schema violations: unknown fields, bad dtypes, paths leaving the folder', async () => {
    await expectIndexProblem((i) => {
      i.extra = 1
    }, 'invalid-index', { field: 'index' })
    await expectIndexProblem((i) => {
      ;(i.levels[0]?.tensors[0] as { dtype: string }).dtype = 'F12'
    }, 'invalid-index', { tensor: 'model.embed_tokens.weight', field: 'dtype' })
    const error = await expectIndexProblem((i) => {
      ;(i.levels[0]?.files[0] as { name: string }).name = '../../etc/passwd'
    }, 'invalid-index')
    expect(error.detail).toContain('relative path')
  })
})

import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '@qchain/fixtures'
import { openContainerFile } from '@qchain/format/node'
import { encodeHeader } from '@qchain/safetensors'
import { writeSafetensorsFile } from '@qchain/safetensors/node'
import { chainReader, ChainError, decodePlain, encodePlain, PLAIN_SLICE_BYTES, plainSlices } from '../src/index.js'
import { verifyChain, writeChain } from '../src/node/index.js'

const where = { level: '16', tensor: 'embed' }

/** bf16-like bytes: a few exponents, random mantissas, so the planes compress a little. */
function halfBytes(count: number, seed: number): Uint8Array {
  const random = seededRandom(seed)
  const bits = new Uint16Array(count)
  for (let i = 0; i < count; i++) bits[i] = ((random() < 0.5 ? 1 : 0) << 15) | ((118 + Math.floor(random() * 6)) << 7) | Math.floor(random() * 128)
  return new Uint8Array(bits.buffer)
}

function encodeInSlices(bytes: Uint8Array, dtype: string, sliceBytes: number): Uint8Array[] {
  return plainSlices(bytes.length, sliceBytes).map(([start, end]) => encodePlain(bytes.slice(start, end), dtype).bytes)
}

describe('plain tensors in slices', () => {
  it('cuts a tensor into slices of the given size, the last one shorter', () => {
    expect(plainSlices(10, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ])
    expect(plainSlices(8, 4)).toEqual([
      [0, 4],
      [4, 8],
    ])
    expect(plainSlices(0, 4)).toEqual([[0, 0]])
  })

  it.each([
    ['BF16', 'plain-half'],
    ['F32', 'plain-bytes'],
  ])('%s decodes byte for byte from several slices, and from one', (dtype, codec) => {
    const bytes = halfBytes(5000, 7)
    for (const sliceBytes of [1000, 4096, bytes.length]) {
      const sections = encodeInSlices(bytes, dtype, sliceBytes)
      expect(sections.length).toBe(Math.ceil(bytes.length / sliceBytes))
      expect(Buffer.compare(decodePlain(codec, sections, bytes.length, sliceBytes, where), bytes)).toBe(0)
    }
  })

  it('refuses a damaged index: section count, slice size, byte length', () => {
    const bytes = halfBytes(2500, 9)
    const sections = encodeInSlices(bytes, 'BF16', 2000)
    for (const [list, byteLength, sliceBytes] of [
      [sections.slice(0, 2), bytes.length, 2000],
      [[...sections, sections[0]], bytes.length, 2000],
      [sections, bytes.length, 2001],
      [sections, bytes.length, 0],
      [sections, bytes.length, Number.NaN],
      [sections, bytes.length + 2, 2000],
      [sections, 2 ** 40, 2 ** 39],
    ] as [Uint8Array[], number, number][]) {
      expect(() => decodePlain('plain-half', list, byteLength, sliceBytes, where), `${list.length} sections, ${byteLength} bytes, slices of ${sliceBytes}`).toThrow(ChainError)
    }
  })
})

describe('the chain writer codes a big plain tensor a slice at a time', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qchain-slices-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('stores an embedding larger than a slice in several shared sections and rebuilds it', async () => {
    const model = join(dir, 'model')
    await mkdir(model)
    // A full slice and a partial one, beside a small tensor that stays in one section.
    const embed = halfBytes((PLAIN_SLICE_BYTES + PLAIN_SLICE_BYTES / 4) / 2, 3)
    const norm = halfBytes(64, 4)
    const header = encodeHeader([
      { name: 'embed.weight', dtype: 'BF16', shape: [embed.length / 2 / 64, 64] },
      { name: 'norm.weight', dtype: 'BF16', shape: [64] },
    ])
    await writeSafetensorsFile(join(model, 'model.safetensors'), header, (info) => (info.name === 'embed.weight' ? embed : norm))
    for (const workers of [1, 2]) {
      const path = join(dir, `w${workers}.qchain`)
      await writeChain(path, [{ name: '16', parent: null, dir: model }], { workers })
      const container = await openContainerFile(path)
      try {
        const entry = container.tensor('16', 'embed.weight')
        expect(entry.codec).toBe('plain-half')
        expect(entry.sections.length).toBe(2)
        expect(entry.params.slice).toBe(PLAIN_SLICE_BYTES)
        expect(container.tensor('16', 'norm.weight').sections.length).toBe(1)
        expect(Buffer.compare(await chainReader(container).tensorBytes('16', 'embed.weight'), embed)).toBe(0)
        expect((await verifyChain(chainReader(container), ['16'], { workers })).failures).toEqual([])
      } finally {
        await container.close()
      }
    }
    expect(Buffer.compare(await readFile(join(dir, 'w1.qchain')), await readFile(join(dir, 'w2.qchain')))).toBe(0)
  })
})

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { openContainer } from '@qchain/format'
import { openContainerFile } from '@qchain/format/node'
import { quantizeModel } from '@qchain/quantize'
import { bytesSource, type ByteSource } from '@qchain/safetensors'
import { chainReader } from '../src/index.js'
import { extractLevel, verifyChain, writeChain, type ChainLevelInput } from '../src/node/index.js'
import { folderHashes, gptqLevels } from './levels.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-chain-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Writes a chain, then extracts every level and compares each file's SHA-256 with the originals. */
async function roundTrip(name: string, levels: ChainLevelInput[]): Promise<number> {
  const path = join(dir, `${name}.qchain`)
  await writeChain(path, levels)
  const container = await openContainerFile(path)
  try {
    const reader = chainReader(container)
    expect((await verifyChain(reader)).failures).toEqual([])
    for (const level of levels) {
      const out = join(dir, `${name}-${level.name}`)
      await extractLevel(reader, level.name, out)
      expect(await folderHashes(out), `level ${level.name}`).toEqual(await folderHashes(level.dir))
    }
  } finally {
    await container.close()
  }
  return (await stat(path)).size
}

describe.skipIf(!hasFixture('babyllama-105-fp16') || !hasFixture('babyllama-105-bf16'))('babyllama chains restore every level byte for byte', () => {
  it.each(['babyllama-105-fp16', 'babyllama-105-bf16'])('%s in 4 > 8|4 > 16|8 and 4 > 16|4', async (fixture) => {
    const { eight, four } = await gptqLevels(fixture, dir)
    const sixteen = fixturePath(fixture)
    const full = await roundTrip(`${fixture}-full`, [
      { name: '4', parent: null, dir: four },
      { name: '8', parent: '4', dir: eight },
      { name: '16', parent: '8', dir: sixteen },
    ])
    const pair = await roundTrip(`${fixture}-pair`, [
      { name: '4', parent: null, dir: four },
      { name: '16', parent: '4', dir: sixteen },
    ])
    const raw = (await stat(join(sixteen, 'model.safetensors'))).size + (await stat(join(eight, 'model.safetensors'))).size + (await stat(join(four, 'model.safetensors'))).size
    console.log(`${fixture}: 4 > 8|4 > 16|8 container ${full} bytes (weights stored apart: ${raw}); 4 > 16|4 ${pair} bytes`)
    expect(full).toBeLessThan(raw * 0.7)
  })
})

describe.skipIf(!hasFixture('babyllama-105-fp16'))('reading one level touches only its own sections', () => {
  it('a tensor of the 4-bit base reads no section of 8|4 or 16|8', async () => {
    const { eight, four } = await gptqLevels('babyllama-105-fp16', dir)
    const path = join(dir, 'ranges.qchain')
    await writeChain(path, [
      { name: '4', parent: null, dir: four },
      { name: '8', parent: '4', dir: eight },
      { name: '16', parent: '8', dir: fixturePath('babyllama-105-fp16') },
    ])
    const bytes = new Uint8Array(await readFile(path))
    const ranges: [number, number][] = []
    const inner = bytesSource(bytes, path)
    const recording: ByteSource = { name: path, size: bytes.length, slice: (start, end) => (ranges.push([start, end]), inner.slice(start, end)) }
    const container = await openContainer(recording)
    const reader = chainReader(container)
    const fourBit = await reader.tensorBytes('4', 'model.layers.0.self_attn.q_proj.qweight')
    const original = await openContainerFile(path)
    expect(Buffer.compare(fourBit, await chainReader(original).tensorBytes('4', 'model.layers.0.self_attn.q_proj.qweight'))).toBe(0)
    await original.close()
    const forbidden = container.index.sections.filter((section) => section.level === '8' || section.level === '16')
    expect(forbidden.length).toBeGreaterThan(0)
    for (const [start, end] of ranges) {
      for (const section of forbidden) expect(end <= section.offset || start >= section.offset + section.length, `read [${start}, ${end})`).toBe(true)
    }
  })
})

describe.skipIf(!hasFixture('isnet-fp16'))('the QStore pair: isnet-fp16 in int8 > 16|int8', () => {
  it('verifies every level, and is far smaller than the pair stored apart', async () => {
    const int8 = join(dir, 'isnet-int8')
    await quantizeModel(fixturePath('isnet-fp16'), [{ request: { method: 'int8-rowwise' }, target: int8 }])
    const path = join(dir, 'isnet.qchain')
    await writeChain(path, [
      { name: 'int8', parent: null, dir: int8 },
      { name: '16', parent: 'int8', dir: fixturePath('isnet-fp16') },
    ])
    const container = await openContainerFile(path)
    try {
      expect((await verifyChain(chainReader(container))).failures).toEqual([])
    } finally {
      await container.close()
    }
    const size = (await stat(path)).size
    const raw = (await stat(fixturePath('isnet-fp16', 'model.safetensors'))).size + (await stat(join(int8, 'model.safetensors'))).size
    console.log(`isnet int8 > 16|int8: ${size} bytes, ${(size / raw).toFixed(3)} of the ${raw} bytes stored apart`)
    expect(size / raw).toBeLessThan(0.62)
  })
})

describe.skipIf(!hasFixture('babyllama-105-fp16'))('corruption never yields wrong files', () => {
  it('a flipped byte anywhere makes verify fail; extract of a level whose sections it hits fails and leaves no folder', async () => {
    const { four } = await gptqLevels('babyllama-105-fp16', dir)
    const levels = [
      { name: '4', parent: null, dir: four },
      { name: '16', parent: '4', dir: fixturePath('babyllama-105-fp16') },
    ]
    const path = join(dir, 'corrupt.qchain')
    await writeChain(path, levels)
    const good = new Uint8Array(await readFile(path))
    const clean = await openContainer(bytesSource(good, path))
    const { index } = clean
    const inSection = (position: number) => index.sections.findIndex((section) => position >= section.offset && position < section.offset + section.length)
    // The header, a spread of 24 sections (first, middle and last byte of each), the index and the footer.
    const step = Math.ceil(index.sections.length / 24)
    const sampled = index.sections.filter((_, id) => id % step === 0)
    const positions = [0, 9, ...sampled.flatMap((section) => [section.offset, section.offset + Math.floor(section.length / 2), section.offset + section.length - 1]), good.length - 20, good.length - 100]
    for (const position of positions) {
      const bad = Uint8Array.from(good)
      bad[position] = (bad[position] as number) ^ 0x40
      const opened = await openContainer(bytesSource(bad, path)).catch(() => undefined)
      if (!opened) continue // the footer or index was hit: nothing can be read, let alone wrongly
      const reader = chainReader(opened)
      // Inline (one worker): a pool per call would cost more than the decodes; workers.test.ts covers the pool.
      const report = await verifyChain(reader, opened.levels, { workers: 1 }).catch((error: unknown) => error as Error)
      expect(report instanceof Error || report.failures.length > 0, `flip at ${position} went unnoticed by verify`).toBe(true)
      const hit = inSection(position)
      for (const level of levels) {
        const needed = hit >= 0 && clean.planLevel(level.name).sections.some((section) => section === hit)
        const out = join(dir, `corrupt-${position}-${level.name}`)
        const extracted = await extractLevel(reader, level.name, out, { workers: 1 }).then(() => true, () => false)
        if (needed) {
          expect(extracted, `flip at ${position} (section ${hit}) still extracted level ${level.name}`).toBe(false)
          expect(await stat(out).then(() => true, () => false), `flip at ${position} left a folder`).toBe(false)
        } else if (extracted) {
          expect(await folderHashes(out)).toEqual(await folderHashes(level.dir))
        }
      }
    }
    await writeFile(join(dir, 'truncated.qchain'), good.subarray(0, good.length - 10))
    await expect(openContainerFile(join(dir, 'truncated.qchain'))).rejects.toThrow()
  })
})

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isQchainError } from '@qchain/errors'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { encodeSymbols } from '@qchain/huffman'
import { openContainerFile } from '@qchain/format/node'
import { chainReader, runDecodeJob, type DecodeJob } from '../src/index.js'
import { createCodecPool, extractLevel, verifyChain, writeChain, type ChainLevelInput } from '../src/node/index.js'
import { folderHashes, gptqLevels } from './levels.js'

let dir: string
let levels: ChainLevelInput[]
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-workers-'))
  if (!hasFixture('babyllama-105-fp16')) return
  const { eight, four } = await gptqLevels('babyllama-105-fp16', dir)
  levels = [
    { name: '4', parent: null, dir: four },
    { name: '8', parent: '4', dir: eight },
    { name: '16', parent: '8', dir: fixturePath('babyllama-105-fp16') },
  ]
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** What decoding the job on this thread throws. */
function inlineError(job: DecodeJob): unknown {
  try {
    runDecodeJob(job)
  } catch (error) {
    return error
  }
  throw new Error('the job decoded inline')
}

describe.skipIf(!hasFixture('babyllama-105-fp16'))('the worker count never changes the bytes', () => {
  it('writes the same container with 1 and 2 workers, and extracts the same files from it', async () => {
    // Two workers through a pool the caller owns (as qchain bench shares one), which stays open.
    const pool = createCodecPool(2)
    try {
      await writeChain(join(dir, 'w1.qchain'), levels, { workers: 1 })
      await writeChain(join(dir, 'w2.qchain'), levels, { pool })
      expect(Buffer.compare(await readFile(join(dir, 'w1.qchain')), await readFile(join(dir, 'w2.qchain')))).toBe(0)
      const container = await openContainerFile(join(dir, 'w2.qchain'))
      try {
        const reader = chainReader(container)
        expect((await verifyChain(reader, container.levels, { pool })).failures).toEqual([])
        for (const level of levels) {
          const hashes = await Promise.all(
            [1, 2].map(async (workers) => {
              const out = join(dir, `out-${level.name}-${workers}`)
              await extractLevel(reader, level.name, out, { workers })
              return folderHashes(out)
            }),
          )
          expect(hashes[0], `level ${level.name}`).toEqual(await folderHashes(level.dir))
          expect(hashes[1], `level ${level.name}`).toEqual(hashes[0])
        }
      } finally {
        await container.close()
      }
    } finally {
      await pool.close()
    }
  })

  it('a job failing in a worker throws the error inline decoding throws, with its code and category', async () => {
    const pool = createCodecPool(2)
    try {
      for (const codec of ['plain-bytes', 'no-such-codec']) {
        // A view into a larger buffer, as sections read from a container are; large enough to go to a worker.
        const file = new Uint8Array(256 * 1024).fill(7)
        const job: DecodeJob = { kind: 'plain', level: '16', codec, sections: [file.subarray(8, 8 + 128 * 1024)], sliceBytes: 128 * 1024, output: { tensor: 'embed.weight', byteLength: 128 * 1024 } }
        const inline = inlineError(job)
        const pooled = await pool.decode(job).catch((error: unknown) => error)
        expect(isQchainError(inline)).toBe(true)
        expect(isQchainError(pooled) && [pooled.code, pooled.category, pooled.message]).toEqual(isQchainError(inline) && [inline.code, inline.category, inline.message])
        expect(file.byteLength, 'the caller keeps its bytes').toBe(256 * 1024)
      }
    } finally {
      await pool.close()
    }
  })

  it('small jobs sent to a worker together each get their own bytes or their own error', async () => {
    const pool = createCodecPool(2)
    try {
      const jobs = Array.from({ length: 6 }, (_, i): DecodeJob => {
        const bytes = new Uint8Array(80 * 1024).map((_, j) => (j * (i + 3)) >>> 4)
        const codec = i === 2 ? 'no-such-codec' : 'plain-bytes'
        return { kind: 'plain', level: '16', codec, sections: [encodeSymbols(bytes)], sliceBytes: bytes.length, output: { tensor: `t${i}`, byteLength: bytes.length } }
      })
      // 80 KiB each: above the inline limit, under a batch's, so they share round trips.
      expect(jobs.map((job) => pool.cost(job)).every((cost) => cost > 0 && cost < 1)).toBe(true)
      const results = await Promise.allSettled(jobs.map((job) => pool.decode(job)))
      results.forEach((result, i) => {
        if (i === 2) {
          const inline = inlineError(jobs[i] as DecodeJob)
          expect(result.status === 'rejected' && isQchainError(result.reason) && [result.reason.code, result.reason.message]).toEqual(isQchainError(inline) && [inline.code, inline.message])
        }
        else expect(result.status === 'fulfilled' && Buffer.compare(result.value[0] as Uint8Array, runDecodeJob(jobs[i] as DecodeJob)[0] as Uint8Array)).toBe(0)
      })
    } finally {
      await pool.close()
    }
  })

  it('a section a worker reads itself and finds damaged is reported as inline reading reports it', async () => {
    const good = await readFile(join(dir, 'w1.qchain'))
    const probe = await openContainerFile(join(dir, 'w1.qchain'))
    // The largest section of the 16-bit level: a matrix's, so a worker reads it.
    const [id, section] = [...probe.index.sections.entries()].filter(([, entry]) => entry.level === '16').sort((a, b) => b[1].length - a[1].length)[0] as [number, { offset: number; length: number }]
    await probe.close()
    const damaged = new Uint8Array(good)
    damaged[section.offset + (section.length >> 1)] ^= 0x20
    await writeFile(join(dir, 'damaged.qchain'), damaged)
    const container = await openContainerFile(join(dir, 'damaged.qchain'))
    try {
      const reader = chainReader(container)
      const errors = await Promise.all([1, 2].map((workers) => extractLevel(reader, '16', join(dir, `damaged-${workers}`), { workers }).catch((error: unknown) => error)))
      for (const error of errors) expect(isQchainError(error) && [error.code, error.context.field]).toEqual(['FORMAT_SECTION_CHECKSUM', `section ${id}`])
      expect((errors[1] as Error).message, 'the worker names what the container names').toBe((errors[0] as Error).message)
      expect((errors[1] as Error).message).toMatch(/used by tensor .* of level 16/)
    } finally {
      await container.close()
    }
  })

  it('refuses a worker count that is not a whole number >= 1', async () => {
    const error = await writeChain(join(dir, 'zero.qchain'), levels, { workers: 0 }).catch((caught: unknown) => caught)
    expect(isQchainError(error) && error.category).toBe('usage')
  })
})

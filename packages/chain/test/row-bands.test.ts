import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encode, type RowBand } from '@qchain/conditional'
import { seededRandom } from '@qchain/fixtures'
import { openContainerFile } from '@qchain/format/node'
import { quantizeInt8Rowwise } from '@qchain/gptq'
import { quantizeModel } from '@qchain/quantize'
import { encodeHeader } from '@qchain/safetensors'
import { writeSafetensorsFile } from '@qchain/safetensors/node'
import { f32ToF16 } from '@qchain/tensor'
import { chainReader, encodeMatrix, runDecodeJob, type DecodeJob } from '../src/index.js'
import { createCodecPool, createRebuilder, writeChain, type CodecPool } from '../src/node/index.js'
import { BAND_MIN_BYTES, cutIntoBands } from '../src/row-bands.js'

/** Normal-ish weights (a sum of uniforms), std about 0.02. */
function weights(count: number, seed: number): Float32Array {
  const random = seededRandom(seed)
  return Float32Array.from({ length: count }, () => (random() + random() + random() - 1.5) * 0.04)
}

/** A 16|int8 job of a rows x cols matrix (encoded as writeChain would, or with the 16-bit level's coder forced). */
function int8Job(rows: number, cols: number, coder?: 'adaptive'): { job: DecodeJob; bits: Uint16Array } {
  const values = weights(rows * cols, rows)
  const int8 = quantizeInt8Rowwise(values, rows, cols)
  const half = { rows, cols, format: 'f16' as const, bits: f32ToF16(values) }
  const base = encodeMatrix({ kind: 'int8', value: int8 }, undefined, { level: 'int8', tensor: 'w' })
  const top = coder ? encode(half, int8, { coder }) : (encodeMatrix({ kind: 'half', value: half }, { kind: 'int8', value: int8 }, { level: '16', tensor: 'w' }).sections[0]?.bytes as Uint8Array)
  const job: DecodeJob = {
    kind: 'matrix',
    level: '16',
    steps: [
      { level: 'int8', tensor: 'w', codec: base.codec, sections: base.sections.map((section) => section.bytes), rows, cols },
      { level: '16', tensor: 'w', codec: 'half-given', sections: [top], rows, cols },
    ],
    outputs: [{ tensor: 'w', byteLength: 2 * rows * cols, part: 'weight' }],
  }
  return { job, bits: half.bits }
}

const bandJob = (job: DecodeJob, rows: RowBand, cols: number): DecodeJob => ({ ...job, rows, outputs: [{ tensor: 'w', byteLength: 2 * (rows.end - rows.first) * cols, part: 'weight' }] }) as DecodeJob
const bytesOf = (bits: Uint16Array, band: RowBand, cols: number) => Buffer.from(bits.buffer, 2 * band.first * cols, 2 * (band.end - band.first) * cols)

describe('cutIntoBands', () => {
  // 4096 x 4096 fp16 is 32 MiB: two bands of 16 MiB; the encoder's slabs are 256 rows of 4096.
  const job = (rows: number, cols: number, codec = 'half-given', byteLength = 2 * rows * cols): DecodeJob<number> => ({
    kind: 'matrix',
    level: '16',
    steps: [
      { level: '8', tensor: 'w', codec: 'gptq-alone', sections: [1], rows, cols },
      { level: '16', tensor: 'w', codec, sections: [2], rows, cols },
    ],
    outputs: [{ tensor: 'w', byteLength, part: 'weight' }],
  })

  it('cuts a large 16-bit matrix into slab-aligned bands covering every row once', () => {
    const bands = cutIntoBands(job(11_008, 4096), 4)
    expect(bands.map((band) => (band.kind === 'matrix' ? band.rows : undefined))).toEqual([
      { first: 0, end: 2816 },
      { first: 2816, end: 5632 },
      { first: 5632, end: 8448 },
      { first: 8448, end: 11_008 },
    ])
    expect(bands.reduce((sum, band) => sum + (band.kind === 'matrix' ? (band.outputs[0]?.byteLength ?? 0) : 0), 0)).toBe(2 * 11_008 * 4096)
    expect(cutIntoBands(job(4096, 4096), 2).length).toBe(2)
  })

  it('leaves whole: bands under BAND_MIN_BYTES, one part, GPTQ levels, and a size the index contradicts', () => {
    const small = Math.floor(BAND_MIN_BYTES / 4096 / 2)
    expect(cutIntoBands(job(2 * small - 1, 4096), 8).length).toBe(1)
    expect(cutIntoBands(job(11_008, 4096), 1).length).toBe(1)
    expect(cutIntoBands(job(11_008, 4096, 'gptq-given'), 2).length).toBe(1)
    expect(cutIntoBands(job(11_008, 4096, 'half-given', 2 * 11_008 * 4096 - 2), 2).length).toBe(1)
  })
})

describe('a band of a 16-bit matrix decoded on its own', () => {
  // 150 rows of 16384: the encoder's slabs are 64 rows
  const cols = 16_384
  it('equals those rows of the whole decode', () => {
    const { job, bits } = int8Job(150, cols)
    for (const band of [{ first: 0, end: 64 }, { first: 64, end: 150 }, { first: 128, end: 150 }]) {
      const [bytes] = runDecodeJob(bandJob(job, band, cols))
      expect(Buffer.compare(bytes as Uint8Array, bytesOf(bits, band, cols))).toBe(0)
    }
  })

  it('is cut from a whole decode where the streams do not allow it: inside a slab, or an adaptive body', () => {
    const { job, bits } = int8Job(150, cols)
    const adaptive = int8Job(150, cols, 'adaptive')
    for (const [whole, band] of [[job, { first: 10, end: 100 }] as const, [adaptive.job, { first: 64, end: 128 }] as const]) {
      const [bytes] = runDecodeJob(bandJob(whole, band, cols))
      expect(Buffer.compare(bytes as Uint8Array, bytesOf(whole === job ? bits : adaptive.bits, band, cols))).toBe(0)
    }
  })
})

describe('rebuilding a file through a pool of two workers', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qchain-bands-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('shares a 32 MiB matrix between the workers by bands and rebuilds the file byte for byte', async () => {
    const model = join(dir, 'model')
    await mkdir(model)
    const big = f32ToF16(weights(4096 * 4096, 7))
    const small = f32ToF16(weights(128 * 256, 8))
    const header = encodeHeader([
      { name: 'big.weight', dtype: 'F16', shape: [4096, 4096] },
      { name: 'small.weight', dtype: 'F16', shape: [128, 256] },
    ])
    await writeSafetensorsFile(join(model, 'model.safetensors'), header, (info) => new Uint8Array((info.name === 'big.weight' ? big : small).buffer))
    const int8 = join(dir, 'int8')
    await quantizeModel(model, [{ request: { method: 'int8-rowwise' }, target: int8 }])
    const path = join(dir, 'bands.qchain')
    const pool = createCodecPool(2)
    await writeChain(path, [{ name: 'int8', parent: null, dir: int8 }, { name: '16', parent: 'int8', dir: model }], { pool })
    const container = await openContainerFile(path)
    try {
      const bands: (RowBand | undefined)[] = []
      const watched: CodecPool = { ...pool, decodeFile: (job, from) => (bands.push(job.kind === 'matrix' ? job.rows : undefined), pool.decodeFile(job, from)) }
      const hash = createHash('sha256')
      await createRebuilder(chainReader(container), watched).rebuildFile('16', 'model.safetensors', (chunk) => void hash.update(chunk))
      expect(hash.digest('hex')).toBe(createHash('sha256').update(await readFile(join(model, 'model.safetensors'))).digest('hex'))
      expect(bands.filter(Boolean)).toEqual([
        { first: 0, end: 2048 },
        { first: 2048, end: 4096 },
      ])
    } finally {
      await container.close()
      await pool.close()
    }
  })
})

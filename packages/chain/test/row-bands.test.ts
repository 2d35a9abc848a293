import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeAlone, encode, type QuantLevel, type RowBand } from '@qchain/conditional'
import { isQchainError } from '@qchain/errors'
import { seededRandom } from '@qchain/fixtures'
import { openContainerFile } from '@qchain/format/node'
import { quantizeInt8Rowwise, rtnQuantize } from '@qchain/gptq'
import { quantizeModel } from '@qchain/quantize'
import { encodeHeader } from '@qchain/safetensors'
import { writeSafetensorsFile } from '@qchain/safetensors/node'
import { f32ToF16 } from '@qchain/tensor'
import { chainReader, encodeMatrix, runDecodeJob, type DecodeJob, type JobOutput } from '../src/index.js'
import { createCodecPool, createRebuilder, writeChain, type CodecPool } from '../src/node/index.js'
import { jobOutputs, LevelBuffers } from '../src/decode-job.js'
import { BAND_MIN_BYTES, cutIntoBands, joinBands } from '../src/row-bands.js'

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

/** A 4 > 8|4 job of a rows x cols matrix: the 8-bit level's four GPTQ parts. */
function gptqJob(rows: number, cols: number): DecodeJob {
  const values = weights(rows * cols, rows + 1)
  const four = rtnQuantize(values, rows, cols, { bits: 4, groupSize: 128, sym: true })
  const eight = rtnQuantize(values, rows, cols, { bits: 8, groupSize: 128, sym: false })
  const base = encodeMatrix({ kind: 'gptq', value: four }, undefined, { level: '4', tensor: 'w' })
  const top = encodeMatrix({ kind: 'gptq', value: eight }, { kind: 'gptq', value: four }, { level: '8', tensor: 'w' })
  const groups = Math.ceil(cols / 128)
  const part = (name: 'qweight' | 'qzeros' | 'scales' | 'g_idx', shape: number[], bytesPer: number): JobOutput => ({ tensor: `w.${name}`, byteLength: shape.reduce((a, b) => a * b, bytesPer), part: name, shape, gptq: { bits: 8, format: 'gptq_v2' } })
  return {
    kind: 'matrix',
    level: '8',
    steps: [
      { level: '4', tensor: 'w', codec: base.codec, sections: base.sections.map((section) => section.bytes), rows, cols },
      { level: '8', tensor: 'w', codec: top.codec, sections: top.sections.map((section) => section.bytes), rows, cols },
    ],
    outputs: [part('qweight', [cols / 4, rows], 4), part('qzeros', [groups, rows / 4], 4), part('scales', [groups, rows], 2), part('g_idx', [cols], 4)],
  }
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

  it('cuts a GPTQ matrix into bands whose parts hold their rows, and g_idx whole', () => {
    const whole = gptqJob(160, 16_384)
    const big = { ...whole, outputs: whole.outputs.map((output) => ({ ...output, byteLength: output.byteLength * 1024 })) }
    const [first] = cutIntoBands(big, 2)
    expect(first?.kind === 'matrix' && first.rows).toEqual({ first: 0, end: 128 })
    expect(first?.kind === 'matrix' && first.outputs.map((output) => output.byteLength)).toEqual(big.outputs.map((output) => (output.part === 'g_idx' ? output.byteLength : (output.byteLength / 160) * 128)))
  })

  it('leaves whole: bands under BAND_MIN_BYTES, one part, LLM.int8 levels, a size the index contradicts, GPTQ bands off its zero words', () => {
    const small = Math.floor(BAND_MIN_BYTES / 4096 / 2)
    expect(cutIntoBands(job(2 * small - 1, 4096), 8).length).toBe(1)
    expect(cutIntoBands(job(11_008, 4096), 1).length).toBe(1)
    expect(cutIntoBands(job(11_008, 4096, 'int8-alone'), 2).length).toBe(1)
    expect(cutIntoBands(job(11_008, 4096, 'half-given', 2 * 11_008 * 4096 - 2), 2).length).toBe(1)
    // slabs of 349 rows of 3000 columns, bands of 7 slabs: 4-bit zero points of the second band would start inside a word
    const odd = job(4200, 3000, 'gptq-given')
    const zeros: JobOutput = { tensor: 'w.qzeros', byteLength: 4200 * 2 ** 13, part: 'qzeros', shape: [2 ** 11, 4200 * 4], gptq: { bits: 4, format: 'gptq' } }
    expect(cutIntoBands({ ...odd, outputs: [zeros] }, 2).length).toBe(1)
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

  it('gives a GPTQ level\'s parts which, joined, equal the whole decode\'s, cut between slabs or not', () => {
    const job = gptqJob(160, cols)
    const whole = jobOutputs(job, runDecodeJob(job))
    for (const bands of [[0, 64, 128, 160], [0, 32, 160]]) {
      const decoded = bands.slice(1).map((end, i) => {
        const band = { first: bands[i] as number, end }
        const cut = { ...job, rows: band, outputs: job.outputs.map((output) => ({ ...output, byteLength: output.part === 'g_idx' ? output.byteLength : (output.byteLength / 160) * (end - band.first) })) }
        return jobOutputs(cut, runDecodeJob(cut))
      })
      const joined = joinBands(job.outputs, decoded)
      for (const output of job.outputs) expect(Buffer.compare(joined.get(output.tensor) as Uint8Array, whole.get(output.tensor) as Uint8Array), `${output.tensor}, bands ${bands}`).toBe(0)
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

describe('LevelBuffers', () => {
  it('hold the levels below the one asked for, job after job, never an output', () => {
    const buffers = new LevelBuffers(64 * 2 ** 20)
    const jobs = [gptqJob(160, 4096), int8Job(150, 4096).job, gptqJob(96, 8192)]
    for (const job of jobs) {
      const kept = runDecodeJob(job, buffers)
      const fresh = runDecodeJob(job)
      kept.forEach((bytes, i) => expect(Buffer.compare(bytes, fresh[i] as Uint8Array)).toBe(0))
      expect(kept.some((bytes) => buffers.holds(bytes))).toBe(false)
    }
    // the last job's 4-bit base was decoded into the first kept buffer
    const last = jobs[2] as Extract<DecodeJob, { kind: 'matrix' }>
    const base = (decodeAlone(last.steps[0]?.sections[0] as Uint8Array) as QuantLevel).codes
    expect(Buffer.compare(buffers.codes(0, base.length) as Uint8Array, base)).toBe(0)
  })

  it('keep nothing above their limit', () => {
    const buffers = new LevelBuffers(1000)
    expect(buffers.codes(0, 1001)).toBeUndefined()
    expect(buffers.codes(1, 1000)?.length).toBe(1000)
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

  it('shares large 16-bit and GPTQ matrices between the workers by bands and rebuilds each level byte for byte', async () => {
    // 8192 x 4096: 64 MiB at 16 bits, 32 MiB of 8-bit codes; two bands each (slabs of 256 rows)
    const model = join(dir, 'model')
    await mkdir(model)
    const big = f32ToF16(weights(8192 * 4096, 7))
    const small = f32ToF16(weights(128 * 256, 8))
    const header = encodeHeader([
      { name: 'big.weight', dtype: 'F16', shape: [8192, 4096] },
      { name: 'small.weight', dtype: 'F16', shape: [128, 256] },
    ])
    await writeSafetensorsFile(join(model, 'model.safetensors'), header, (info) => new Uint8Array((info.name === 'big.weight' ? big : small).buffer))
    const level = (bits: number) => ({ request: { method: 'rtn' as const, options: { bits, groupSize: 128, sym: bits === 4 }, format: 'gptq' as const }, target: join(dir, `rtn-${bits}`) })
    await quantizeModel(model, [level(8), level(4)])
    const levels = [
      { name: '4', parent: null, dir: join(dir, 'rtn-4') },
      { name: '8', parent: '4', dir: join(dir, 'rtn-8') },
      { name: '16', parent: '8', dir: model },
    ]
    const path = join(dir, 'bands.qchain')
    const pool = createCodecPool(2)
    await writeChain(path, levels, { pool })
    const container = await openContainerFile(path)
    try {
      for (const { name, dir: source } of levels.slice(1)) {
        const bands: (RowBand | undefined)[] = []
        const watched: CodecPool = { ...pool, decodeFile: (job, from) => (bands.push(job.kind === 'matrix' ? job.rows : undefined), pool.decodeFile(job, from)) }
        const hash = createHash('sha256')
        await createRebuilder(chainReader(container), watched).rebuildFile(name, 'model.safetensors', (chunk) => void hash.update(chunk))
        expect(hash.digest('hex'), `level ${name}`).toBe(createHash('sha256').update(await readFile(join(source, 'model.safetensors'))).digest('hex'))
        expect(bands.filter(Boolean), `level ${name}`).toEqual([
          { first: 0, end: 4096 },
          { first: 4096, end: 8192 },
        ])
      }
      // A damaged byte in the big matrix's 16|8 stream: both bands find it, and the error is the one inline reading gives.
      const [id, section] = [...container.index.sections.entries()].filter(([, entry]) => entry.level === '16').sort((a, b) => b[1].length - a[1].length)[0] as [number, { offset: number; length: number }]
      const damaged = new Uint8Array(await readFile(path))
      damaged[section.offset + (section.length >> 1)] ^= 0x10
      await writeFile(join(dir, 'damaged.qchain'), damaged)
      const broken = await openContainerFile(join(dir, 'damaged.qchain'))
      try {
        const reader = chainReader(broken)
        const errors = await Promise.all([reader, createRebuilder(reader, pool)].map((rebuilder) => rebuilder.rebuildFile('16', 'model.safetensors', () => {}).catch((error: unknown) => error)))
        for (const error of errors) expect(isQchainError(error) && [error.code, error.context.field]).toEqual(['FORMAT_SECTION_CHECKSUM', `section ${id}`])
        expect((errors[1] as Error).message).toBe((errors[0] as Error).message)
      } finally {
        await broken.close()
      }
    } finally {
      await container.close()
      await pool.close()
    }
  })
})

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { loadSequences } from '@qchain/calibration'
import { quantizeModel } from '@qchain/quantize'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { analyzeQuantized, analyzeSixteenBit } from '../src/analyze/analyze-levels.js'
import { renderAnalysis } from '../src/analyze/render.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-analyze-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const BABYLLAMA = fixturePath('babyllama-105-fp16')

describe.skipIf(!hasFixture('babyllama-105-fp16') || !hasFixture('isnet-fp16'))('level analyzers', () => {
  it('costs the 16-bit level (fp16 and bf16) and GPTQ 8-bit and 4-bit levels, round trips checked, every byte counted, beside the bound and the baselines', async () => {
    const gptq = (bits: number) => ({ request: { method: 'gptq' as const, options: { bits, groupSize: 128 }, format: 'gptq' as const }, target: join(dir, `gptq-${bits}`) })
    const calibration = await loadSequences({ path: fixturePath('babyllama-105-fp16', 'reference.json') }, { split: 'calibration', samples: 4, seqLen: 256, seed: 0, vocabSize: 105 })
    await quantizeModel(BABYLLAMA, [gptq(8), gptq(4)], { calibration })
    const sixteen = await analyzeSixteenBit(BABYLLAMA)
    expect((await analyzeSixteenBit(fixturePath('babyllama-105-bf16'))).coded.bytes).toBeLessThan(sixteen.coded.bytes)
    const folder = await openSafetensorsFolder(BABYLLAMA)
    const [eight, four] = [await analyzeQuantized(join(dir, 'gptq-8'), folder), await analyzeQuantized(join(dir, 'gptq-4'), folder)]
    await folder.close()
    expect(sixteen).toMatchObject({ level: '16', values: 936_448, rawBytes: 1_872_896 })
    expect(sixteen.baselines.raw).toBe(1_872_896)
    for (const level of [sixteen, eight, four]) {
      // Huffman never beats the order-0 bound, and stays within 2% of it plus its tables and headers.
      expect(level.coded.bytes * 8).toBeGreaterThanOrEqual(level.coded.entropyBits)
      expect(level.coded.bytes * 8).toBeLessThanOrEqual(level.coded.entropyBits * 1.02 + level.coded.overheadBytes * 8)
      expect(level.baselines.zstd19).toBeGreaterThan(0)
    }
    expect(eight).toMatchObject({ level: '8', values: 921_600 })
    expect(four.level).toBe('4')
    expect(four.coded.bytes * 8).toBeLessThan(4 * four.values)
    expect(four.side.bytes).toBeGreaterThan(0)
    expect(four.unchangedBytes).toBe(1_872_896 - 2 * 921_600)
    const table = renderAnalysis([sixteen, eight, four])
    expect(table.split('\n').filter((line) => /^\| (16|8|4) /.test(line))).toHaveLength(3)
  })

  it('reaches the entropy of the isnet int8 level within 2% plus its tables (44M values)', async () => {
    await quantizeModel(fixturePath('isnet-fp16'), [{ request: { method: 'int8-rowwise' }, target: join(dir, 'isnet-int8') }])
    const folder = await openSafetensorsFolder(fixturePath('isnet-fp16'))
    const int8 = await analyzeQuantized(join(dir, 'isnet-int8'), folder)
    await folder.close()
    console.log(`isnet int8: ${int8.coded.bytes} bytes written, order-0 bound ${Math.ceil(int8.coded.entropyBits / 8)} bytes, tables and headers ${int8.coded.overheadBytes}`)
    expect(int8.values).toBe(44_003_520)
    expect(int8.coded.bytes * 8).toBeLessThanOrEqual(int8.coded.entropyBits * 1.02 + int8.coded.overheadBytes * 8)
  })

  it('refuses a level that belongs to another model', async () => {
    const folder = await openSafetensorsFolder(BABYLLAMA)
    await expect(analyzeQuantized(join(dir, 'isnet-int8'), folder)).rejects.toThrow(/does not match the 16-bit model/)
    await folder.close()
  })
})

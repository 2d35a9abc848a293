import { mkdtemp, mkdir, rm, writeFile, copyFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { quantizeInt8Rowwise } from '@qchain/gptq'
import { isQchainError } from '@qchain/errors'
import { encodeHeader } from '@qchain/safetensors'
import { openSafetensorsFolder, writeSafetensorsFile } from '@qchain/safetensors/node'
import { toFloat32 } from '@qchain/tensor'
import { openCheckpoint, quantizeModel, QuantizeError } from '../src/index.js'
import { BABYLLAMA, referenceTokens } from './helpers.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-quantize-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!hasFixture('isnet-fp16'))('LLM.int8 rowwise of a model with no forward pass (isnet-fp16)', () => {
  it('quantizes every conv weight, keeps biases, and reads back exactly', async () => {
    const target = join(dir, 'isnet-int8')
    await quantizeModel(fixturePath('isnet-fp16'), [{ request: { method: 'int8-rowwise' }, target }])
    const checkpoint = await openCheckpoint(target)
    const source = await openSafetensorsFolder(fixturePath('isnet-fp16'))
    try {
      expect(checkpoint.kind).toBe('int8')
      expect(checkpoint.prefixes).toHaveLength(119)
      expect(checkpoint.folder.tensors.get('conv_in.weight')?.info).toMatchObject({ dtype: 'I8', shape: [64, 3, 3, 3] })
      expect(Buffer.compare(await checkpoint.folder.read('conv_in.bias'), await source.read('conv_in.bias'))).toBe(0)
      const stored = await checkpoint.readInt8('side1')
      const expected = quantizeInt8Rowwise(toFloat32(await source.read('side1.weight'), 'F16'), 1, 576)
      expect(Buffer.compare(Buffer.from(stored.weight.buffer, stored.weight.byteOffset, stored.weight.byteLength), Buffer.from(expected.weight.buffer))).toBe(0)
      expect(Array.from(stored.scb)).toEqual(Array.from(expected.scb))
    } finally {
      await source.close()
      await checkpoint.close()
    }
  })

  it('refuses GPTQ, which needs a supported architecture', async () => {
    const error = await quantizeModel(fixturePath('isnet-fp16'), [{ request: { method: 'gptq', options: { bits: 4 }, format: 'gptq' }, target: join(dir, 'never') }], { calibration: [[1, 2]] }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ problem: 'unsupported' })
    expect((error as Error).message).toMatch(/supported config.json/)
  })
})

describe.skipIf(!hasFixture('babyllama-105-fp16'))('bad requests give clear errors and leave no output', () => {
  const gptq = (options: Record<string, unknown>) => [{ request: { method: 'gptq' as const, options: { bits: 4, ...options }, format: 'gptq' as const }, target: join(dir, 'bad') }]

  it.each([
    ['bits outside {2,3,4,8}', { bits: 5 }, /bits must be one of/],
    ['group size 0', { groupSize: 0 }, /group_size/],
  ])('%s', async (_, options, message) => {
    const error = await quantizeModel(BABYLLAMA, gptq(options), { calibration: [[1, 2, 3]] }).catch((caught: unknown) => caught)
    expect(isQchainError(error)).toBe(true)
    expect((error as Error).message).toMatch(message)
  })

  it('missing calibration', async () => {
    await expect(quantizeModel(BABYLLAMA, gptq({}), { calibration: [] })).rejects.toThrow(/calibration sequences/)
    await expect(openSafetensorsFolder(join(dir, 'bad'))).rejects.toThrow()
  })

  it('a GPTQ folder whose shapes do not agree', async () => {
    const target = join(dir, 'rtn')
    await quantizeModel(BABYLLAMA, [{ request: { method: 'rtn', options: { bits: 4 }, format: 'gptq' }, target }], { calibration: await referenceTokens('calibration', 1) })
    const broken = join(dir, 'broken')
    await mkdir(broken)
    await copyFile(join(target, 'quantize_config.json'), join(broken, 'quantize_config.json'))
    const header = encodeHeader([
      { name: 'layer.qweight', dtype: 'I32', shape: [16, 64] },
      { name: 'layer.qzeros', dtype: 'I32', shape: [1, 8] },
      { name: 'layer.scales', dtype: 'F16', shape: [1, 64] },
      { name: 'layer.g_idx', dtype: 'I32', shape: [100] },
    ])
    await writeSafetensorsFile(join(broken, 'model.safetensors'), header, (info) => new Uint8Array(info.end - info.begin))
    const checkpoint = await openCheckpoint(broken)
    await expect(checkpoint.readCodes('layer')).rejects.toBeInstanceOf(QuantizeError)
    await checkpoint.close()
    await writeFile(join(broken, 'quantize_config.json'), '{"bits": "four"}')
    await expect(openCheckpoint(broken)).rejects.toMatchObject({ problem: 'not-a-checkpoint', context: { field: 'bits' } })
  })

  it('writes shards past a size limit and reads v1, v2 and overridden zero points', async () => {
    const calibration = await referenceTokens('calibration', 1)
    const rtn = (format: 'gptq' | 'gptq_v2', target: string) => ({ request: { method: 'rtn' as const, options: { bits: 4, sym: false }, format }, target: join(dir, target) })
    await quantizeModel(BABYLLAMA, [rtn('gptq', 'v1'), rtn('gptq_v2', 'v2')], { calibration, maxShardBytes: 400_000 })
    const [v1, v2] = [await openCheckpoint(join(dir, 'v1')), await openCheckpoint(join(dir, 'v2'))]
    const mislabelled = await openCheckpoint(join(dir, 'v2'), { format: 'gptq' })
    try {
      expect(v1.folder.index?.parsed.shards.length).toBeGreaterThan(1)
      expect(v2.gptq?.format).toBe('gptq_v2')
      const prefix = 'model.layers.2.mlp.down_proj'
      const [a, b, wrong] = [await v1.readCodes(prefix), await v2.readCodes(prefix), await mislabelled.readCodes(prefix)]
      expect(Array.from(a.zeros)).toEqual(Array.from(b.zeros))
      expect(Array.from(wrong.zeros)).toEqual(Array.from(b.zeros, (zero) => zero + 1))
      expect(Buffer.compare(Buffer.from((await v1.dequantized(prefix)).buffer), Buffer.from((await v2.dequantized(prefix)).buffer))).toBe(0)
    } finally {
      await Promise.all([v1.close(), v2.close(), mislabelled.close()])
    }
  })

  it('a folder with nothing quantized in it', async () => {
    await expect(openCheckpoint(BABYLLAMA)).rejects.toMatchObject({ problem: 'not-a-checkpoint' })
  })
})

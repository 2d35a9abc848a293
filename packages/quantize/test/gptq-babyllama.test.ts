import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasFixture } from '@qchain/fixtures'
import type { QuantizedLayer } from '@qchain/gptq'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { quantizeModel } from '../src/index.js'
import { BABYLLAMA, checkpointNll, folderHashes, referenceTokens } from './helpers.js'

const gptq = (bits: number, extra = {}) => ({ method: 'gptq' as const, options: { bits, groupSize: 128, sym: true, dampPercent: 0.01, ...extra }, format: 'gptq' as const })

/**
 * The standard formula, written independently of the library: unpack qweight and qzeros with
 * plain shifts (lowest bits first), add 1 to v1 zeros, w = scale * (q - zero).
 */
async function independentDequantize(dir: string, prefix: string, bits: number): Promise<Float32Array> {
  const folder = await openSafetensorsFolder(dir)
  try {
    const read = async (part: string) => {
      const bytes = await folder.read(`${prefix}.${part}`)
      return { bytes: Uint8Array.from(bytes), shape: folder.tensors.get(`${prefix}.${part}`)?.info.shape as number[] }
    }
    const qweight = await read('qweight')
    const qzeros = await read('qzeros')
    const scales = await read('scales')
    const gIdx = await read('g_idx')
    const words = new Int32Array(qweight.bytes.buffer)
    const zeroWords = new Int32Array(qzeros.bytes.buffer)
    const scaleBits = new Uint16Array(scales.bytes.buffer)
    const groups = new Int32Array(gIdx.bytes.buffer)
    const out = qweight.shape[1] as number
    const inputs = groups.length
    const perWord = 32 / bits
    const mask = (1 << bits) - 1
    const half = new Float32Array(1)
    const weight = new Float32Array(out * inputs)
    for (let o = 0; o < out; o++) {
      for (let j = 0; j < inputs; j++) {
        const q = (words[Math.floor(j / perWord) * out + o]! >>> (bits * (j % perWord))) & mask
        const g = groups[j]!
        const zero = ((zeroWords[g * (out / perWord) + Math.floor(o / perWord)]! >>> (bits * (o % perWord))) & mask) + 1
        const h = scaleBits[g * out + o]!
        // fp16 -> f32 by the textbook formula (normal and subnormal scales).
        const exponent = (h >> 10) & 31
        const fraction = h & 1023
        half[0] = (h & 0x8000 ? -1 : 1) * (exponent ? 2 ** (exponent - 15) * (1 + fraction / 1024) : 2 ** -14 * (fraction / 1024))
        weight[o * inputs + j] = Math.fround(half[0] * (q - zero))
      }
    }
    return weight
  } finally {
    await folder.close()
  }
}

describe.skipIf(!hasFixture('babyllama-105-fp16'))('GPTQ through babyllama-105-fp16 (calibration: reference.json, g128, damp 0.01)', () => {
  let dir: string
  const used = new Map<string, Float32Array>()

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qchain-gptq-'))
    await quantizeModel(BABYLLAMA, [{ request: gptq(8), target: join(dir, 'gptq-8') }, { request: gptq(4), target: join(dir, 'gptq-4') }], {
      calibration: await referenceTokens('calibration'),
      onQuantized: (output, matrix, result) => {
        if (matrix.prefix.startsWith('model.layers.1.')) used.set(`${output}:${matrix.prefix}`, (result as QuantizedLayer).weight)
      },
    })
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('8-bit and 4-bit in one pass score as the reference GPTQ does (NLL <= 0.7265 and <= 0.767; fp16 0.7249)', async () => {
    const nll8 = await checkpointNll(join(dir, 'gptq-8'))
    const nll4 = await checkpointNll(join(dir, 'gptq-4'))
    console.log(`GPTQ-8 sym NLL ${nll8.toFixed(5)}, GPTQ-4 sym NLL ${nll4.toFixed(5)}`)
    expect(nll8).toBeLessThanOrEqual(0.7265)
    expect(nll4).toBeLessThanOrEqual(0.767)
    expect(nll8).toBeLessThan(nll4)
  })

  it('writes folders that an independent dequantizer reads back to exactly the weights GPTQ used', async () => {
    expect(used.size).toBe(14)
    for (const [key, weight] of used) {
      const [output, prefix] = key.split(':') as [string, string]
      const bits = output === '0' ? 8 : 4
      const independent = await independentDequantize(join(dir, `gptq-${bits}`), prefix, bits)
      expect(Buffer.compare(Buffer.from(independent.buffer), Buffer.from(weight.buffer, weight.byteOffset, weight.byteLength)), key).toBe(0)
    }
  })

  it('keeps every other tensor and file, and records the settings where transformers looks', async () => {
    const config = JSON.parse(await readFile(join(dir, 'gptq-4', 'config.json'), 'utf8'))
    expect(config.quantization_config).toEqual({ bits: 4, group_size: 128, damp_percent: 0.01, desc_act: false, static_groups: false, sym: true, true_sequential: true, quant_method: 'gptq', checkpoint_format: 'gptq' })
    expect(JSON.parse(await readFile(join(dir, 'gptq-4', 'quantize_config.json'), 'utf8'))).toEqual(config.quantization_config)
    expect(await readFile(join(dir, 'gptq-4', 'tokenizer.json'), 'utf8')).toBe(await readFile(join(BABYLLAMA, 'tokenizer.json'), 'utf8'))
    const folder = await openSafetensorsFolder(join(dir, 'gptq-4'))
    try {
      expect(folder.tensors.get('model.layers.0.self_attn.q_proj.qweight')?.info).toMatchObject({ dtype: 'I32', shape: [16, 128] })
      expect(folder.tensors.get('model.layers.0.mlp.down_proj.scales')?.info).toMatchObject({ dtype: 'F16', shape: [3, 128] })
      expect(folder.tensors.has('model.layers.0.self_attn.q_proj.weight')).toBe(false)
      const source = await openSafetensorsFolder(BABYLLAMA)
      expect(Buffer.compare(await folder.read('model.embed_tokens.weight'), await source.read('model.embed_tokens.weight'))).toBe(0)
      await source.close()
    } finally {
      await folder.close()
    }
  })
})

describe.skipIf(!hasFixture('babyllama-105-fp16'))('GPTQ variants and RTN', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qchain-gptq-variants-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('asymmetric 4-bit with act-order scores NLL <= 0.765, and RTN-4 is clearly worse than GPTQ-4', async () => {
    await quantizeModel(
      BABYLLAMA,
      [
        { request: gptq(4, { sym: false, actOrder: true }), target: join(dir, 'asym') },
        { request: { method: 'rtn', options: { bits: 4, groupSize: 128, sym: true }, format: 'gptq' }, target: join(dir, 'rtn') },
      ],
      { calibration: await referenceTokens('calibration') },
    )
    const asym = await checkpointNll(join(dir, 'asym'))
    const rtn = await checkpointNll(join(dir, 'rtn'))
    console.log(`GPTQ-4 asym act-order NLL ${asym.toFixed(5)}, RTN-4 sym NLL ${rtn.toFixed(5)}`)
    expect(asym).toBeLessThanOrEqual(0.765)
    expect(rtn).toBeGreaterThan(0.78)
    expect(JSON.parse(await readFile(join(dir, 'asym', 'config.json'), 'utf8')).quantization_config).toMatchObject({ desc_act: true, sym: false })
  })

  it('is deterministic: the same model, calibration and settings give byte-identical folders', async () => {
    const calibration = await referenceTokens('calibration', 4)
    for (const name of ['a', 'b']) await quantizeModel(BABYLLAMA, [{ request: gptq(4, { actOrder: true }), target: join(dir, name) }], { calibration })
    expect(await folderHashes(join(dir, 'a'))).toEqual(await folderHashes(join(dir, 'b')))
  })
})

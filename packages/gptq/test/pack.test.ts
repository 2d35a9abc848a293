import { describe, expect, it } from 'vitest'
import {
  dequantize,
  dequantizeGptqLayer,
  gptqQuantize,
  GptqError,
  HessianAccumulator,
  initTfjsWasm,
  packGptqLayer,
  quantizeConfig,
  unpackGptqLayer,
  type CheckpointFormat,
  type GptqPackedLayer,
  type QuantCodes,
} from '../src/index.js'
import { correlatedInputs, gaussians, seededRandom } from './helpers.js'

/** A random but valid layer: codes, zeros (>= 1 for v1), fp16 scales and a shuffled g_idx. */
function randomLayer(rows: number, cols: number, groups: number, bits: number, format: CheckpointFormat, seed: number): QuantCodes {
  const random = seededRandom(seed)
  const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1))
  const maxq = 2 ** bits - 1
  return {
    rows,
    cols,
    codes: Uint8Array.from({ length: rows * cols }, () => int(0, maxq)),
    zeros: Uint16Array.from({ length: groups * rows }, () => int(format === 'gptq' ? 1 : 0, maxq)),
    // Positive normal fp16 values: exponent 1..29.
    scales: Uint16Array.from({ length: groups * rows }, () => (int(1, 29) << 10) | int(0, 1023)),
    gIdx: Int32Array.from({ length: cols }, () => int(0, groups - 1)),
  }
}

/** Reads value k of a little-endian b-bit stream, one bit at a time: independent of the library's word arithmetic. */
function streamValue(word: (index: number) => number, k: number, bits: number): number {
  let value = 0
  for (let bit = 0; bit < bits; bit++) {
    const position = k * bits + bit
    value |= ((word(Math.floor(position / 32)) >>> position % 32) & 1) << bit
  }
  return value
}

function f16(bits: number): number {
  const exponent = (bits >> 10) & 0x1f
  const mantissa = bits & 0x3ff
  const magnitude = exponent === 0 ? mantissa * 2 ** -24 : (1 + mantissa / 1024) * 2 ** (exponent - 15)
  return bits & 0x8000 ? -magnitude : magnitude
}

/** Straightforward dequantization of the packed tensors, as a GPTQ kernel would do it. */
function independentDequantize(packed: GptqPackedLayer, bits: number, format: CheckpointFormat): Float32Array {
  const [, out = 0] = packed.qweight.shape
  const inFeatures = packed.gIdx.data.length
  const zeroWords = (out * bits) / 32
  const w = new Float32Array(out * inFeatures)
  for (let o = 0; o < out; o++) {
    for (let j = 0; j < inFeatures; j++) {
      const group = packed.gIdx.data[j] as number
      const perWord = 32 / bits
      const q = Number.isInteger(perWord)
        ? ((packed.qweight.data[Math.floor(j / perWord) * out + o] as number) >>> (bits * (j % perWord))) & (2 ** bits - 1)
        : streamValue((word) => packed.qweight.data[word * out + o] as number, j, bits)
      const zero = streamValue((word) => packed.qzeros.data[group * zeroWords + word] as number, o, bits) + (format === 'gptq' ? 1 : 0)
      w[o * inFeatures + j] = f16(packed.scales.data[group * out + o] as number) * (q - zero)
    }
  }
  return w
}

/** AutoGPTQ's 3-bit packing loop for one lane of 32 values into 3 words, written out step by step. */
function autoGptqPack3(values: number[]): number[] {
  const words = [0, 0, 0]
  let i = 0
  for (let row = 0; row < 3; row++) {
    const carry = row === 0 ? 0 : row === 1 ? 1 : 2 // bits of the straddling value already placed
    if (row > 0) words[row] = (words[row] as number) | ((values[i - 1] as number) >> (3 - carry))
    for (let j = 0; j < 10; j++) words[row] = (words[row] as number) | ((values[i + j] as number) << (3 * j + carry))
    i += 10
    if (row < 2) {
      words[row] = (words[row] as number) | ((values[i] as number) << (30 + row))
      i += 1
    }
  }
  return words.map((w) => w | 0)
}

const BITS = [2, 3, 4, 8] as const
const FORMATS: CheckpointFormat[] = ['gptq', 'gptq_v2']

describe('GPTQ checkpoint packing', () => {
  for (const bits of BITS) {
    for (const format of FORMATS) {
      it(`${bits}-bit ${format}: round trip, and an independent dequantization matches exactly`, () => {
        const layer = randomLayer(64, 96, 3, bits, format, bits * 7 + format.length)
        const packed = packGptqLayer(layer, bits, format)
        expect(packed.qweight.shape).toEqual([(96 * bits) / 32, 64])
        expect(packed.qzeros.shape).toEqual([3, (64 * bits) / 32])
        expect(packed.scales.shape).toEqual([3, 64])
        expect(packed.gIdx.shape).toEqual([96])
        expect(unpackGptqLayer(packed, bits, format)).toEqual(layer)
        const library = dequantizeGptqLayer(packed, bits, format)
        expect(library).toEqual(dequantize(layer))
        expect(independentDequantize(packed, bits, format)).toEqual(library)
      })
    }
  }

  it('packs codes at any byte offset alike (four at a time where aligned, one by one elsewhere)', () => {
    for (const bits of [4, 8]) {
      const layer = randomLayer(8, 64, 2, bits, 'gptq_v2', bits)
      const shifted = new Uint8Array(layer.codes.length + 1)
      shifted.set(layer.codes, 1)
      const unaligned = { ...layer, codes: shifted.subarray(1) }
      expect(packGptqLayer(unaligned, bits, 'gptq_v2')).toEqual(packGptqLayer(layer, bits, 'gptq_v2'))
    }
    for (const at of [1, 37, 510]) {
      const layer = randomLayer(8, 64, 2, 4, 'gptq_v2', at)
      const shifted = new Uint8Array(layer.codes.length + 1)
      shifted.set(layer.codes, 1)
      shifted[1 + at] = 16 + (at & 127)
      expect(() => packGptqLayer({ ...layer, codes: shifted.subarray(1) }, 4, 'gptq_v2')).toThrow(`code ${16 + (at & 127)} does not fit in 4 bits`)
    }
  })

  it('4-bit words hold the first index in the lowest bits; symmetric v1 zeros are 0x77777777', () => {
    const layer: QuantCodes = {
      rows: 8,
      cols: 8,
      codes: Uint8Array.from({ length: 64 }, (_, i) => i % 8),
      zeros: new Uint16Array(8).fill(8),
      scales: new Uint16Array(8).fill(0x3c00),
      gIdx: new Int32Array(8),
    }
    const packed = packGptqLayer(layer, 4, 'gptq')
    expect(Array.from(packed.qweight.data)).toEqual(new Array(8).fill(0x76543210))
    expect(Array.from(packed.qzeros.data)).toEqual([0x77777777])
    expect(Array.from(packGptqLayer(layer, 4, 'gptq_v2').qzeros.data)).toEqual([0x88888888 | 0])
  })

  it('3-bit words match AutoGPTQ’s straddling layout', () => {
    const random = seededRandom(3)
    const values = Array.from({ length: 32 }, () => Math.floor(random() * 8))
    const layer: QuantCodes = {
      rows: 32,
      cols: 32,
      codes: Uint8Array.from({ length: 32 * 32 }, (_, i) => values[i % 32] as number),
      zeros: Uint16Array.from(values, (v) => v + 1),
      scales: new Uint16Array(32).fill(0x3c00),
      gIdx: new Int32Array(32),
    }
    const packed = packGptqLayer(layer, 3, 'gptq')
    const want = autoGptqPack3(values)
    for (let o = 0; o < 32; o++) expect([0, 1, 2].map((w) => packed.qweight.data[w * 32 + o])).toEqual(want)
    expect(Array.from(packed.qzeros.data)).toEqual(want)
  })

  it('a GPTQ layer packs so that the checkpoint dequantizes to exactly the weights GPTQ used', async () => {
    await initTfjsWasm()
    const rows = 64
    const cols = 128
    const accumulator = new HessianAccumulator(cols)
    accumulator.addBatch(correlatedInputs(256, cols, 5), 256)
    const layer = await gptqQuantize(gaussians(rows * cols, 9), rows, cols, accumulator.hessian(), { bits: 4, groupSize: 32, actOrder: true })
    for (const format of FORMATS) {
      const packed = packGptqLayer(layer, 4, format)
      expect(dequantizeGptqLayer(packed, 4, format)).toEqual(layer.weight)
      expect(independentDequantize(packed, 4, format)).toEqual(layer.weight)
    }
  })
})

function problemOf(action: () => unknown): string | undefined {
  try {
    action()
  } catch (error) {
    if (error instanceof GptqError) return error.problem
    throw error
  }
  return undefined
}

describe('bad input', () => {
  const layer = randomLayer(32, 64, 2, 4, 'gptq', 1)
  const packed = packGptqLayer(layer, 4, 'gptq')
  const withShape = (field: keyof GptqPackedLayer, shape: number[], data?: Int32Array | Uint16Array): GptqPackedLayer =>
    ({ ...packed, [field]: { data: data ?? packed[field].data, shape } }) as GptqPackedLayer

  it('refuses unsupported bits and group sizes', () => {
    expect(problemOf(() => packGptqLayer(layer, 5, 'gptq'))).toBe('invalid-bits')
    expect(problemOf(() => quantizeConfig({ bits: 16 }))).toBe('invalid-bits')
    expect(problemOf(() => quantizeConfig({ bits: 4, groupSize: 0 }))).toBe('invalid-group-size')
    expect(problemOf(() => quantizeConfig({ bits: 4, groupSize: -2 }))).toBe('invalid-group-size')
    expect(problemOf(() => quantizeConfig({ bits: 4, dampPercent: -1 }))).toBe('invalid-option')
  })

  it('names the tensor whose shape does not fit', () => {
    const field = (action: () => unknown): string | undefined => {
      try {
        action()
      } catch (error) {
        return (error as GptqError).context.field
      }
      return undefined
    }
    expect(field(() => unpackGptqLayer(withShape('qweight', [4, 32]), 4, 'gptq'))).toBe('qweight')
    expect(field(() => unpackGptqLayer(withShape('qweight', [8, 32], new Int32Array(3)), 4, 'gptq'))).toBe('qweight')
    expect(field(() => unpackGptqLayer(withShape('scales', [2, 16], new Uint16Array(32)), 4, 'gptq'))).toBe('scales')
    expect(field(() => unpackGptqLayer(withShape('qzeros', [1, 4], new Int32Array(4)), 4, 'gptq'))).toBe('qzeros')
    expect(field(() => unpackGptqLayer(withShape('gIdx', [64], new Int32Array(64).fill(2)), 4, 'gptq'))).toBe('g_idx')
    expect(problemOf(() => unpackGptqLayer(withShape('gIdx', [32], new Int32Array(32)), 4, 'gptq'))).toBe('shape-mismatch')
  })

  it('refuses layers that cannot be packed', () => {
    expect(problemOf(() => packGptqLayer({ ...layer, cols: 60, codes: layer.codes.subarray(0, 32 * 60), gIdx: layer.gIdx.subarray(0, 60) }, 3, 'gptq'))).toBe('shape-mismatch')
    expect(problemOf(() => packGptqLayer({ ...layer, codes: layer.codes.subarray(1) }, 4, 'gptq'))).toBe('shape-mismatch')
    expect(problemOf(() => packGptqLayer({ ...layer, gIdx: layer.gIdx.map(() => 2) }, 4, 'gptq'))).toBe('shape-mismatch')
    const zeroPoint0 = { ...layer, zeros: new Uint16Array(layer.zeros.length) }
    expect(problemOf(() => packGptqLayer(zeroPoint0, 4, 'gptq'))).toBe('zero-not-representable')
    expect(problemOf(() => packGptqLayer(zeroPoint0, 4, 'gptq_v2'))).toBeUndefined()
  })

  it('refuses bad GPTQ inputs with typed errors', async () => {
    const weight = gaussians(8 * 16, 1)
    const identity = Float32Array.from({ length: 256 }, (_, i) => (i % 17 === 0 ? 1 : 0))
    const gptqProblem = async (run: () => Promise<unknown>): Promise<string | undefined> => {
      try {
        await run()
      } catch (error) {
        return (error as GptqError).problem
      }
      return undefined
    }
    expect(await gptqProblem(() => gptqQuantize(weight, 8, 15, identity, { bits: 4 }))).toBe('shape-mismatch')
    expect(await gptqProblem(() => gptqQuantize(weight, 8, 16, identity.subarray(1), { bits: 4 }))).toBe('shape-mismatch')
    expect(await gptqProblem(() => gptqQuantize(weight.map((v, i) => (i === 3 ? NaN : v)), 8, 16, identity, { bits: 4 }))).toBe('non-finite-value')
    expect(await gptqProblem(() => gptqQuantize(weight, 8, 16, identity.map((v) => -v), { bits: 4 }))).toBe('not-positive-definite')
    expect(await gptqProblem(() => gptqQuantize(weight, 8, 16, identity, { bits: 4, blockSize: 0 }))).toBe('invalid-option')
    expect(await gptqProblem(() => gptqQuantize(weight, 8, 16, identity, { bits: 4 }))).toBeUndefined()
    expect(problemOf(() => new HessianAccumulator(16).hessian())).toBe('no-calibration-data')
  })

  it('builds quantize_config.json with the quantizer defaults', () => {
    expect(quantizeConfig({ bits: 4 })).toEqual({
      bits: 4,
      group_size: 128,
      damp_percent: 0.01,
      desc_act: false,
      static_groups: false,
      sym: true,
      true_sequential: true,
      quant_method: 'gptq',
      checkpoint_format: 'gptq',
    })
    expect(quantizeConfig({ bits: 3, groupSize: -1, actOrder: true, checkpointFormat: 'gptq_v2' })).toMatchObject({ bits: 3, group_size: -1, desc_act: true, checkpoint_format: 'gptq_v2' })
  })
})

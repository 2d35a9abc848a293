import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { dequantize, gptqQuantize, HessianAccumulator, initTfjsWasm, rtnQuantize, type GptqOptions, type QuantizedLayer } from '../src/index.js'
import { correlatedInputs, gaussians, maxAbsDiff, naiveMatmul, naiveTranspose } from './helpers.js'
import { referenceGptq } from './reference-gptq.js'

const ROWS = 64
const COLS = 256
const TOKENS = 384

await initTfjsWasm()
const inputs = correlatedInputs(TOKENS, COLS, 7)
const weight = gaussians(ROWS * COLS, 11).map((v) => v * 0.02)
const hessian = hessianOf(inputs, TOKENS, COLS)

function hessianOf(x: Float32Array, tokens: number, cols: number): Float32Array {
  const accumulator = new HessianAccumulator(cols)
  // Two uneven batches: the result must not depend on how the inputs were split.
  const split = Math.floor(tokens / 3)
  accumulator.addBatch(x.subarray(0, split * cols), split)
  accumulator.addBatch(x.subarray(split * cols), tokens - split)
  return accumulator.hessian()
}

/** ||X W^T - X Wq^T||_F in float64. */
function outputError(x: Float32Array, tokens: number, cols: number, w: Float32Array, wq: Float32Array): number {
  const diff = Float64Array.from(w, (v, i) => v - (wq[i] as number))
  const out = naiveMatmul(x, naiveTranspose(diff, w.length / cols, cols), tokens, cols, w.length / cols)
  return Math.sqrt(out.reduce((sum, v) => sum + v * v, 0))
}

function expectConsistent(layer: QuantizedLayer): void {
  expect(layer.codes.length).toBe(layer.rows * layer.cols)
  expect(Math.max(...layer.codes)).toBeLessThan(2 ** layer.bits)
  expect(dequantize(layer)).toEqual(layer.weight)
}

describe('HessianAccumulator', () => {
  it('equals (2/n) X^T X however the batches are split', () => {
    const want = naiveMatmul(naiveTranspose(inputs, TOKENS, COLS), inputs, COLS, TOKENS, COLS).map((v) => (2 * v) / TOKENS)
    expect(maxAbsDiff(hessian, want) / Math.max(...want)).toBeLessThan(1e-5)
    for (let i = 0; i < COLS; i++) for (let j = 0; j < i; j++) expect(hessian[i * COLS + j]).toBe(hessian[j * COLS + i])
  })
})

describe('gptqQuantize', () => {
  for (const [bits, groupSize] of [[4, 128], [3, 64], [2, -1], [8, 128]] as const) {
    it(`${bits}-bit g${groupSize}: lower output error than RTN on the same grid`, async () => {
      const options = { bits, groupSize, sym: bits !== 3 }
      const gptq = await gptqQuantize(weight, ROWS, COLS, hessian, options)
      const rtn = rtnQuantize(weight, ROWS, COLS, options)
      expectConsistent(gptq)
      expectConsistent(rtn)
      const gptqError = outputError(inputs, TOKENS, COLS, weight, gptq.weight)
      const rtnError = outputError(inputs, TOKENS, COLS, weight, rtn.weight)
      expect(gptqError).toBeLessThan(0.8 * rtnError)
      expect(gptq.loss).toBeGreaterThan(0)
    })
  }

  const variants = [
    [128, 128, false, true],
    [64, 128, true, false],
    [-1, 128, false, false],
    [32, 128, false, true],
    [128, 48, true, true],
  ] as const
  for (const [groupSize, blockSize, actOrder, sym] of variants) {
    it(`matches a plain float64 transcription of the reference (g${groupSize}, batch ${blockSize}, act-order ${actOrder}, ${sym ? 'sym' : 'asym'})`, async () => {
      const options = { bits: 4, groupSize, blockSize, sym, actOrder, dampPercent: 0.01 } as const
      const layer = await gptqQuantize(weight, ROWS, COLS, hessian, options)
      const reference = referenceGptq(weight, ROWS, COLS, hessian, options)
      // float32 vs float64 arithmetic may move a value across a rounding boundary now and then.
      const differing = layer.codes.filter((code, i) => code !== reference.codes[i]).length
      expect(differing / layer.codes.length).toBeLessThan(0.001)
      expect(Math.abs((layer.loss as number) - reference.loss) / reference.loss).toBeLessThan(1e-4)
    })
  }

  it('act-order: g_idx follows the descending Hessian diagonal, and helps', async () => {
    const order = Array.from({ length: COLS }, (_, i) => i).sort((a, b) => (hessian[b * COLS + b] as number) - (hessian[a * COLS + a] as number) || a - b)
    const layer = await gptqQuantize(weight, ROWS, COLS, hessian, { bits: 4, groupSize: 32, actOrder: true })
    expectConsistent(layer)
    order.forEach((column, position) => expect(layer.gIdx[column]).toBe(Math.floor(position / 32)))
    expect(layer.scales.length).toBe((COLS / 32) * ROWS)
    const plain = await gptqQuantize(weight, ROWS, COLS, hessian, { bits: 4, groupSize: 32 })
    expect(outputError(inputs, TOKENS, COLS, weight, layer.weight)).toBeLessThan(outputError(inputs, TOKENS, COLS, weight, plain.weight))
  })

  it('static groups: grids come from the original weight, in the original column order', async () => {
    for (const actOrder of [false, true]) {
      const layer = await gptqQuantize(weight, ROWS, COLS, hessian, { bits: 4, groupSize: 64, actOrder, staticGroups: true })
      expectConsistent(layer)
      layer.gIdx.forEach((group, column) => expect(group).toBe(Math.floor(column / 64)))
      // The static grids are RTN's grids.
      const rtn = rtnQuantize(weight, ROWS, COLS, { bits: 4, groupSize: 64 })
      expect(layer.scales).toEqual(rtn.scales)
      expect(layer.zeros).toEqual(rtn.zeros)
    }
  })

  it('group size -1 gives one group per row; a partial last group works (in = 200, g = 128)', async () => {
    const whole = await gptqQuantize(weight, ROWS, COLS, hessian, { bits: 4, groupSize: -1 })
    expect(whole.scales.length).toBe(ROWS)
    expect(whole.gIdx.every((group) => group === 0)).toBe(true)
    const cols = 200
    const x = correlatedInputs(TOKENS, cols, 3)
    const w = weight.subarray(0, ROWS * cols)
    const partial = await gptqQuantize(w, ROWS, cols, hessianOf(x, TOKENS, cols), { bits: 4, groupSize: 128, sym: false })
    expectConsistent(partial)
    expect(partial.scales.length).toBe(2 * ROWS)
    expect(partial.gIdx[127]).toBe(0)
    expect(partial.gIdx[128]).toBe(1)
    expect(partial.gIdx[199]).toBe(1)
    expect(outputError(x, TOKENS, cols, w, partial.weight)).toBeLessThan(outputError(x, TOKENS, cols, w, rtnQuantize(w, ROWS, cols, { bits: 4, groupSize: 128, sym: false }).weight))
  })

  it('dead inputs quantize to exact zeros', async () => {
    const x = Float32Array.from(inputs)
    for (let t = 0; t < TOKENS; t++) x[t * COLS + 5] = x[t * COLS + 200] = 0
    const layer = await gptqQuantize(weight, ROWS, COLS, hessianOf(x, TOKENS, COLS), { bits: 4, actOrder: true })
    expectConsistent(layer)
    for (let r = 0; r < ROWS; r++) {
      expect(layer.weight[r * COLS + 5]).toBe(0)
      expect(layer.weight[r * COLS + 200]).toBe(0)
    }
  })

  it('is deterministic (the same inputs give identical bytes) and frees its tfjs tensors', async () => {
    const options: GptqOptions = { bits: 4, groupSize: 64, actOrder: true, sym: false }
    const tensors = tf.memory().numTensors
    const [a, b] = [await gptqQuantize(weight, ROWS, COLS, hessian, options), await gptqQuantize(weight, ROWS, COLS, hessian, options)]
    expect(tf.memory().numTensors).toBe(tensors)
    expect(Buffer.from(a.codes)).toEqual(Buffer.from(b.codes))
    expect(Buffer.from(a.scales.buffer)).toEqual(Buffer.from(b.scales.buffer))
    expect(Buffer.from(a.zeros.buffer)).toEqual(Buffer.from(b.zeros.buffer))
    expect(Buffer.from(a.weight.buffer)).toEqual(Buffer.from(b.weight.buffer))
  })

  it('does not depend on the lazy-batch width beyond float rounding', async () => {
    const wide = await gptqQuantize(weight, ROWS, COLS, hessian, { bits: 8, blockSize: 128 })
    const narrow = await gptqQuantize(weight, ROWS, COLS, hessian, { bits: 8, blockSize: 16 })
    const differing = wide.codes.filter((code, i) => Math.abs(code - (narrow.codes[i] as number)) > 1).length
    expect(differing).toBe(0)
  })
})

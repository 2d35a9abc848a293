import { afterEach, describe, expect, it, vi } from 'vitest'
import { decode, encode, type Child, type Parent, type QuantLevel } from '../src/index.js'
import { halfEntry, halfPredictor, stepLambdas } from '../src/half-predictor.js'
import { kernelModules, kernelsWithMemory } from '../src/kernel-module.js'
import { QuantRows } from '../src/quant-rows.js'
import { sameChild } from './compare.js'
import { gptqLevel, hasBabyllama, hasIsnet, int8Level, loadBabyllamaLinears, loadMatrices } from './levels.js'
import { seededRandom } from './random.js'
import { int8Of, levelOf, randomHalf, withOddGrid, withSurprises } from './synthetic.js'
import { outcome, withoutWebAssembly } from './module-copies.js'

interface Codec {
  encode: typeof encode
  decode: typeof decode
}

/**
 * A copy of the package that runs with WebAssembly hidden, so every residual encode and decode
 * takes the TypeScript loops (the kernels load on first use, so each call hides it again).
 */
async function typescriptOnly(): Promise<Codec> {
  vi.resetModules()
  const copy = await import('../src/index.js')
  return { encode: (child, parent, options) => withoutWebAssembly(() => copy.encode(child, parent, options)), decode: (bytes, parent, into) => withoutWebAssembly(() => copy.decode(bytes, parent, into)) }
}


/** Both encoders write the same bytes; both decoders on them and on damaged copies: same values, or both refuse with the same problem. */
function expectSameCoding(reference: Codec, child: Child, parent: Parent, damaged: number): void {
  const bytes = encode(child, parent)
  expect(Buffer.from(reference.encode(child, parent)).equals(Buffer.from(bytes))).toBe(true)
  expect(sameChild(decode(bytes, parent), child)).toBe(true)
  expect(sameChild(reference.decode(bytes, parent), child)).toBe(true)
  const random = seededRandom(child.rows * 7919 + child.cols)
  for (let round = 0; round < damaged; round++) {
    const copy = bytes.slice()
    const at = 20 + Math.floor(random() * (copy.length - 20))
    copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8))
    const kernel = outcome(() => decode(copy, parent))
    const expected = outcome(() => reference.decode(copy, parent))
    if (typeof kernel === 'string' || typeof expected === 'string') expect(kernel).toEqual(expected)
    else expect(sameChild(kernel, expected)).toBe(true)
  }
}

describe('residual codec kernels', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('keeps every module under the 4 KB browsers compile synchronously on a main thread', () => {
    for (const bytes of kernelModules()) expect(bytes.length).toBeLessThan(4096)
  })

  it('int8 row tables (mirrored for negative codes) match the direct formula', () => {
    const random = seededRandom(5)
    const scb = Float32Array.from({ length: 64 }, (_, r) => [0, -1.5, 1e-9, 3e-6, 65504 * 127, Infinity, NaN][r] ?? 10 ** (8 * random() - 6))
    for (const format of ['f16', 'bf16'] as const) {
      const predict = halfPredictor(format, { rows: scb.length, cols: 1, weight: new Int8Array(scb.length), scb })
      for (let r = 0; r < scb.length; r++) {
        predict.prepare(r)
        const step = Math.fround((scb[r] as number) / 127)
        const { stepLambda, zeroLambda } = stepLambdas(step, format)
        for (let q = 0; q < 256; q++) expect(predict.table[q]).toBe(halfEntry(Math.fround(((q << 24) >> 24) * step), stepLambda, zeroLambda, format))
      }
    }
  })

  it('computes LLM.int8 row tables four codes at a time as prepare() does, at every scale', () => {
    const random = seededRandom(6)
    // zero, negative, fp16-subnormal and overflowing predictions, bf16 rounding carries, Inf and NaN (the scalar loop's rows)
    const special = [0, -0, -1.5, 1e-9, 3e-6, 2e-5, 65504 * 127, 70000, 1e38, -1e38, 1.0000001, Infinity, -Infinity, NaN]
    const scb = Float32Array.from({ length: 80 }, (_, r) => special[r] ?? (random() < 0.5 ? -1 : 1) * 10 ** (12 * random() - 8))
    const cols = 256
    for (const format of ['f16', 'bf16'] as const) {
      const predict = halfPredictor(format, { rows: scb.length, cols, weight: new Int8Array(scb.length * cols), scb })
      const kernels = kernelsWithMemory(1 << 16)!
      const table = 1024
      const rows = new QuantRows(kernels, table + 4 * 256, predict.quant!, cols, 256)
      for (let r = 0; r < scb.length; r++) {
        new Int32Array(kernels.memory.buffer, table, 256).fill(-1)
        // a whole row table reads neither codes nor column bases
        rows.fill(r, 0, 0, table)
        predict.prepare(r)
        expect(Array.from(new Int32Array(kernels.memory.buffer, table, 256)), `${format} row ${r}, scb ${scb[r]}`).toEqual(Array.from(predict.table))
      }
    }
  })

  it('computes GPTQ row tables whole, four codes at a time, as prepare() does for every code a row uses', async () => {
    const rows = 8
    const cols = 512
    const { values } = randomHalf(rows, cols, 'f16', 12)
    // 1-bit codes (groups of two: the scalar loop's) from the 2-bit level's top bit
    const oneBit = (level: QuantLevel): QuantLevel => ({ ...level, bits: 1, codes: level.codes.map((q) => q >> 1), zeros: level.zeros.map((zero) => zero & 1) })
    for (const spec of [{ bits: 8, groupSize: 128, sym: true }, { bits: 8, groupSize: 256, sym: false }, { bits: 4, groupSize: 64, sym: false }, { bits: 3, groupSize: 32, sym: true }, { bits: 2, groupSize: 32, sym: true }, { bits: 1 }] as const) {
      // scales no quantizer writes (0, NaN, -Inf, -subnormal from withOddGrid; the smallest subnormal, the largest finite, +Inf) and an out-of-range zero
      const level = withOddGrid(spec.bits === 1 ? oneBit(await levelOf(values, rows, cols, { bits: 2, groupSize: 32, sym: true })) : await levelOf(values, rows, cols, spec))
      level.scales.set([0x0001, 0x7bff, 0x7c00], 4)
      for (const format of ['f16', 'bf16'] as const) {
        const predict = halfPredictor(format, level)
        expect(predict.table.length, 'a table computed whole').toBeLessThanOrEqual(4 * cols)
        const kernels = kernelsWithMemory(1 << 20)!
        const [codes, columnBase, table] = [1024, 4096, 8192]
        // 64 bytes of sentinels between the table and the kernel's own regions: no write may pass the table's end
        const after = new Int32Array(kernels.memory.buffer, table + 4 * predict.table.length, 16)
        new Int32Array(kernels.memory.buffer, columnBase, cols).set(predict.columnBase)
        const entries = new QuantRows(kernels, after.byteOffset + after.byteLength, predict.quant!, cols, predict.table.length)
        for (let r = 0; r < rows; r++) {
          new Uint8Array(kernels.memory.buffer, codes, cols).set(level.codes.subarray(r * cols, (r + 1) * cols))
          after.fill(0x5a5a5a5a)
          entries.fill(r, codes, columnBase, table)
          expect(after.every((word) => word === 0x5a5a5a5a), `${format} ${spec.bits}-bit row ${r}: written past the table`).toBe(true)
          predict.prepare(r)
          const kernel = new Int32Array(kernels.memory.buffer, table, predict.table.length)
          for (let j = 0; j < cols; j++) {
            const at = (predict.columnBase[j] as number) + (level.codes[r * cols + j] as number)
            if (kernel[at] !== predict.table[at]) expect(kernel[at], `${format} ${spec.bits}-bit row ${r} column ${j}`).toBe(predict.table[at])
          }
        }
      }
    }
  })

  it('code synthetic pairs exactly as the TypeScript loops, damaged or not', async () => {
    const reference = await typescriptOnly()
    for (const format of ['f16', 'bf16'] as const) {
      const { child, values } = randomHalf(12, 200, format, 9)
      const surprising = withSurprises(child, 10)
      expectSameCoding(reference, surprising, int8Of(values, 12, 200), 100)
      expectSameCoding(reference, surprising, withOddGrid(await levelOf(values, 12, 200, { bits: 8, groupSize: 64, sym: false })), 50)
      expectSameCoding(reference, surprising, await levelOf(values, 12, 200, { bits: 4, groupSize: 32, sym: true, actOrder: true }), 50)
    }
  })

  it('code GPTQ children exactly as the TypeScript loops, whole row tables or stamped, damaged or not', async () => {
    const reference = await typescriptOnly()
    const { values } = randomHalf(12, 256, 'bf16', 11)
    const level = (bits: number, groupSize: number, sym: boolean, actOrder = false) => levelOf(values, 12, 256, { bits, groupSize, sym, actOrder })
    const q8 = await level(8, 64, false)
    // Same groups: one pair per group, a row table no longer than the row (computed whole).
    expectSameCoding(reference, q8, await level(4, 64, true), 30)
    expectSameCoding(reference, withOddGrid(q8), withOddGrid(await level(2, 64, false)), 30)
    // Act-order parent groups against standard child groups: many pairs, entries found by stamps.
    expectSameCoding(reference, q8, await level(4, 32, true, true), 30)
    expectSameCoding(reference, withOddGrid(await level(8, 16, true)), withOddGrid(await level(3, 32, false, true)), 30)
  })

  it.skipIf(!hasIsnet())('code isnet 16|int8 exactly as the TypeScript loops', async () => {
    const reference = await typescriptOnly()
    for (const m of await loadMatrices('isnet-fp16', (i) => i % 12 === 3)) expectSameCoding(reference, m.child, int8Level(m), 20)
  })

  it.skipIf(!hasBabyllama())('code babyllama 16|8, 8|4 and 16|4 exactly as the TypeScript loops', async () => {
    const reference = await typescriptOnly()
    for (const format of ['f16', 'bf16'] as const) {
      for (const m of (await loadBabyllamaLinears(format)).filter((_, i) => i % 5 === 0)) {
        const q8 = await gptqLevel(m, 'rtn', { bits: 8, groupSize: 128, sym: true })
        const q4 = await gptqLevel(m, 'rtn', { bits: 4, groupSize: 128, sym: false })
        expectSameCoding(reference, m.child, q8, 10)
        expectSameCoding(reference, q8, q4, 10)
        expectSameCoding(reference, m.child, q4, 10)
      }
    }
  })
})

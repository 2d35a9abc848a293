import { ByteWriter, writeTable } from '@qchain/huffman'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Child, type Parent } from '../src/index.js'
import { fillDecodeEntries, LANES, PEEK_ENTRIES, readStaticCode, staticCode } from '../src/fused-code.js'
import { Reader } from '../src/reader.js'
import { readTablePlan } from '../src/table-plan.js'
import { sameChild } from './compare.js'
import { gptqLevel, hasBabyllama, hasIsnet, int8Level, loadBabyllamaLinears, loadMatrices } from './levels.js'
import { seededRandom } from './random.js'
import { int8Of, levelOf, randomHalf, withOddGrid, withSurprises } from './synthetic.js'
import { isHalfMatrix, isInt8Level } from '../src/types.js'
import { expectRefused, outcome, withoutWebAssembly } from './module-copies.js'
import { loadNative } from '@qchain/native'

/** The row kernels a decode can run (besides the TypeScript reference): @qchain/native's where it is built. */
type RowKernels = 'webassembly' | 'native'
const native = loadNative()

/** The modules a static encode and decode need, from one copy of the package, decoding rows with `kernels`. */
async function loadKernelCoder(kernels: RowKernels) {
  const [fused, reader, half, code, rows, nativeKernels] = await Promise.all([import('../src/fused-static.js'), import('../src/reader.js'), import('../src/half-predictor.js'), import('../src/code-predictor.js'), import('../src/child-rows.js'), import('../src/native-kernels.js')])
  if (kernels === 'native' && !native.loaded) throw new Error(`@qchain/native did not load: ${native.reason}`)
  // copies of the package are shared between tests, so each sets its kernels
  nativeKernels.useNativeKernels(kernels === 'native' && native.loaded ? native.kernels : null)
  const predictor = (child: Child, parent: Parent) => {
    if (isHalfMatrix(child)) return half.halfPredictor(child.format, parent)
    if (isInt8Level(parent)) throw new Error('a code child needs a GPTQ parent')
    return code.codePredictor(child, parent)
  }
  return {
    encode(child: Child, parent: Parent): { bytes: Uint8Array; parts: Record<string, number> } {
      const out = new ByteWriter()
      const raw = isHalfMatrix(child) ? child.bits : child.codes
      const first = fused.firstPass(child.rows, child.cols, predictor(child, parent), rows.childRowValues(child), raw)
      const parts = fused.writeStaticBody(child.rows, child.cols, first, out, isHalfMatrix(child) ? 16 : child.bits)
      return { bytes: out.result(), parts: { ...parts } }
    },
    /** Decodes into a child shaped like `like` (a code child's grid is taken from it). */
    decode(bytes: Uint8Array, like: Child, parent: Parent): Child {
      const input = new reader.Reader(bytes)
      const n = like.rows * like.cols
      let result: Child
      if (isHalfMatrix(like)) {
        const bits = new Uint16Array(n)
        fused.readStaticBody(input, like.rows, like.cols, 0xffff, predictor(like, parent), bits, true)
        result = { ...like, bits }
      } else {
        const codes = new Uint8Array(n)
        fused.readStaticBody(input, like.rows, like.cols, (1 << like.bits) - 1, predictor(like, parent), codes, false)
        result = { ...like, codes }
      }
      input.expectEnd()
      return result
    },
  }
}

type Coder = Awaited<ReturnType<typeof loadKernelCoder>>

/** A copy of the coder that runs with WebAssembly hidden (the kernels load on first use, so each call hides it again). */
async function typescriptOnly(): Promise<Coder> {
  vi.resetModules()
  const coder = await loadKernelCoder('webassembly')
  // later loads get their own copy, whose kernels load
  vi.resetModules()
  return { encode: (child, parent) => withoutWebAssembly(() => coder.encode(child, parent)), decode: (bytes, like, parent) => withoutWebAssembly(() => coder.decode(bytes, like, parent)) }
}


/** Columns of the pairs below: enough for the native rows (shorter ones stay with WebAssembly). */
const COLS = 300

async function pairs(): Promise<{ name: string; child: Child; parent: Parent }[]> {
  const half = randomHalf(12, COLS, 'f16', 9)
  const bf = randomHalf(12, COLS, 'bf16', 10)
  const q8 = await levelOf(half.values, 12, COLS, { bits: 8, groupSize: 64, sym: false })
  const q4 = await levelOf(half.values, 12, COLS, { bits: 4, groupSize: 32, sym: true, actOrder: true })
  const q2 = await levelOf(half.values, 12, COLS, { bits: 2, groupSize: 64, sym: false })
  return [
    { name: 'fp16|int8', child: withSurprises(half.child, 10), parent: int8Of(half.values, 12, COLS) },
    { name: 'bf16|int8', child: withSurprises(bf.child, 11), parent: int8Of(bf.values, 12, COLS) },
    { name: 'fp16|8', child: withSurprises(half.child, 12), parent: withOddGrid(q8) },
    { name: 'fp16|4', child: half.child, parent: q4 },
    { name: '8|4', child: q8, parent: q4 },
    { name: '8|2', child: withOddGrid(q8), parent: withOddGrid(q2) },
    { name: '4|2', child: q4, parent: q2 },
  ]
}

it('loads the native kernels unless QCHAIN_NATIVE=0', () => {
  expect(native.loaded || process.env.QCHAIN_NATIVE === '0', native.loaded ? '' : native.reason).toBe(true)
})

const rowKernels: RowKernels[] = native.loaded ? ['webassembly', 'native'] : ['webassembly']

describe.each(rowKernels)('version 2 static body, rows decoded by the %s kernels', (kernels) => {
  const loadCoder = (): ReturnType<typeof loadKernelCoder> => loadKernelCoder(kernels)
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('gives a single-symbol table 0-bit codes and every other table a complete 11-bit lookup', () => {
    const single = new Uint32Array(256)
    single[7] = 1000
    const entries = new Int16Array(PEEK_ENTRIES).fill(-1)
    fillDecodeEntries(staticCode(single), entries, 0)
    // symbol 7 is residual -4, 0 bits
    expect(new Set(entries)).toEqual(new Set([-4 << 8]))
    const skewed = Uint32Array.from({ length: 256 }, (_, s) => (s < 200 ? 2 ** Math.max(0, 30 - s) : 1))
    const code = staticCode(skewed)
    expect(Math.max(...code.lengths)).toBe(11)
    entries.fill(-1)
    fillDecodeEntries(code, entries, 0)
    expect(entries.includes(-1)).toBe(false)
  })

  it('round-trips every pair, kernels and TypeScript alike, with parts summing to the body', async () => {
    const reference = await typescriptOnly()
    const coder = await loadCoder()
    for (const { name, child, parent } of await pairs()) {
      const { bytes, parts } = coder.encode(child, parent)
      const sum = Object.values(parts).reduce((a, b) => a + b, 0)
      expect(sum, name).toBeCloseTo(bytes.length, 6)
      expect(Buffer.from(reference.encode(child, parent).bytes).equals(Buffer.from(bytes)), name).toBe(true)
      expect(sameChild(coder.decode(bytes, child, parent), child), name).toBe(true)
      expect(sameChild(reference.decode(bytes, child, parent), child), name).toBe(true)
    }
  })

  it('round-trips several slabs, kernels and TypeScript alike, and a child equal to its prediction (every table single-symbol)', async () => {
    const reference = await typescriptOnly()
    const coder = await loadCoder()
    const { values, child } = randomHalf(1100, 1000, 'f16', 4)
    const parent = int8Of(values, 1100, 1000)
    const { bytes } = coder.encode(child, parent)
    expect(Buffer.from(reference.encode(child, parent).bytes).equals(Buffer.from(bytes))).toBe(true)
    expect(sameChild(coder.decode(bytes, child, parent), child)).toBe(true)
    const q4 = await levelOf(values.subarray(0, 8 * 256), 8, 256, { bits: 4, groupSize: 64, sym: true })
    // 4|4 of the same level: every residual is 0
    const same = coder.encode(q4, q4)
    expect(sameChild(coder.decode(same.bytes, q4, q4), q4)).toBe(true)
    expect(same.parts.payload).toBeLessThan(3)
  })

  it('spreads rows of any length over the lanes, kernels and TypeScript alike, and refuses a lane of the wrong length', async () => {
    const reference = await typescriptOnly()
    const coder = await loadCoder()
    // 999 columns: rows start in every lane; 1100 rows: two slabs
    for (const [rows, cols] of [[1100, 999], [7, 13], [3, 1], [2, 2]] as const) {
      const { values, child } = randomHalf(rows, cols, 'f16', rows + cols)
      const parent = int8Of(values, rows, cols)
      const noisy = withSurprises(child, cols)
      const { bytes } = coder.encode(noisy, parent)
      expect(Buffer.from(reference.encode(noisy, parent).bytes).equals(Buffer.from(bytes)), `${rows}x${cols}`).toBe(true)
      expect(sameChild(coder.decode(bytes, noisy, parent), noisy), `${rows}x${cols}`).toBe(true)
      expect(sameChild(reference.decode(bytes, noisy, parent), noisy), `${rows}x${cols}`).toBe(true)
    }
    // 7 x 13: lane 0 one byte longer and lane 1 one shorter, the total unchanged
    const { values, child } = randomHalf(7, 13, 'f16', 20)
    const parent = int8Of(values, 7, 13)
    const { bytes } = coder.encode(child, parent)
    const { slabLengthAt } = slabField(bytes)
    const reader = new Reader(bytes, slabLengthAt - (LANES - 1))
    const first = reader.varint('lane length')
    const second = reader.varint('lane length')
    expect(slabLengthAt - (LANES - 1) + 2).toBe(reader.pos)
    const moved = bytes.slice()
    moved[slabLengthAt - (LANES - 1)] = first + 1
    moved[slabLengthAt - (LANES - 2)] = second - 1
    for (const decoder of [coder, reference]) expectRefused(() => decoder.decode(moved, child, parent), 'bad-payload')
  })

  it.skipIf(!hasIsnet())('codes isnet 16|int8 exactly as the TypeScript loops', async () => {
    const reference = await typescriptOnly()
    const coder = await loadCoder()
    for (const m of await loadMatrices('isnet-fp16', (i) => i % 12 === 3)) {
      const parent = int8Level(m)
      const { bytes } = coder.encode(m.child, parent)
      expect(Buffer.from(reference.encode(m.child, parent).bytes).equals(Buffer.from(bytes)), m.name).toBe(true)
      expect(sameChild(coder.decode(bytes, m.child, parent), m.child), m.name).toBe(true)
      expect(sameChild(reference.decode(bytes, m.child, parent), m.child), m.name).toBe(true)
    }
  })

  it.skipIf(!hasBabyllama())('codes babyllama 16|8, 8|4 and 16|4 exactly as the TypeScript loops', async () => {
    const reference = await typescriptOnly()
    const coder = await loadCoder()
    for (const format of ['f16', 'bf16'] as const) {
      for (const m of (await loadBabyllamaLinears(format)).filter((_, i) => i % 9 === 0)) {
        const q8 = await gptqLevel(m, 'rtn', { bits: 8, groupSize: 128, sym: true })
        const q4 = await gptqLevel(m, 'rtn', { bits: 4, groupSize: 128, sym: false })
        for (const [child, parent] of [[m.child, q8], [q8, q4], [m.child, q4]] as const) {
          const { bytes } = coder.encode(child, parent)
          expect(Buffer.from(reference.encode(child, parent).bytes).equals(Buffer.from(bytes)), m.name).toBe(true)
          expect(sameChild(coder.decode(bytes, child, parent), child), m.name).toBe(true)
          expect(sameChild(reference.decode(bytes, child, parent), child), m.name).toBe(true)
        }
      }
    }
  })

  it('refuses damaged bodies the same way in the kernels and TypeScript', async () => {
    const reference = await typescriptOnly()
    const coder = await loadCoder()
    const random = seededRandom(77)
    for (const { name, child, parent } of await pairs()) {
      const { bytes } = coder.encode(child, parent)
      for (let round = 0; round < 60; round++) {
        const copy = bytes.slice()
        const at = Math.floor(random() * copy.length)
        copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8))
        const kernel = outcome(() => coder.decode(copy, child, parent))
        const expected = outcome(() => reference.decode(copy, child, parent))
        if (typeof kernel === 'string' || typeof expected === 'string') expect(kernel, name).toEqual(expected)
        else expect(sameChild(kernel, expected), name).toBe(true)
      }
    }
  })

  it('refuses a body cut anywhere, slabs of the wrong length, padding bits set and incomplete tables', async () => {
    const coder = await loadCoder()
    for (const { name, child, parent } of (await pairs()).slice(0, 5)) {
      const { bytes } = coder.encode(child, parent)
      for (let cut = 0; cut < bytes.length; cut++) expect(typeof outcome(() => coder.decode(bytes.subarray(0, cut), child, parent)), name).toBe('string')
      // No bit of the last byte can change without the child changing: data bits alter a value, padding bits are refused.
      for (let bit = 0; bit < 8; bit++) {
        const copy = bytes.slice()
        copy[copy.length - 1] = copy[copy.length - 1]! ^ (1 << bit)
        const result = outcome(() => coder.decode(copy, child, parent))
        expect(typeof result === 'string' || !sameChild(result, child), name).toBe(true)
      }
      // the last lane's length one more (a zero byte added) or one less (its last byte dropped)
      const { slabLengthAt, slabLength } = slabField(bytes)
      expectRefused(() => coder.decode(withSlabLength(bytes, slabLengthAt, slabLength + 1, [...bytes.subarray(-slabLength), 0]), child, parent), 'bad-payload')
      expectRefused(() => coder.decode(withSlabLength(bytes, slabLengthAt, slabLength - 1, [...bytes.subarray(-slabLength, -1)]), child, parent), 'bad-payload')
    }
  })

  it('refuses elements whose context the stream says is unused, kernels and TypeScript alike', async () => {
    const reference = await typescriptOnly()
    const coder = await loadCoder()
    // One element, escaped (-1 predicted as 1): the stream's plan lists its context only, its
    // slab 16 bits. Decoded against a parent whose code is 0 (the zero family's context), the
    // same 16 bits are taken, and the value must be refused as out of range.
    const child: Child = { rows: 1, cols: 1, format: 'f16', bits: Uint16Array.of(0xbc00) }
    const parent = { rows: 1, cols: 1, weight: Int8Array.of(127), scb: Float32Array.of(1) }
    const { bytes } = coder.encode(child, parent)
    const other = { ...parent, weight: Int8Array.of(0) }
    for (const decoder of [coder, reference]) {
      const message = (() => {
        try {
          decoder.decode(bytes, child, other)
          return 'decoded'
        } catch (error) {
          return (error as Error).message
        }
      })()
      expect(message).toMatch(/outside the child type/)
    }
  })

  it('refuses incomplete, over-long and escape-coded table descriptions', async () => {
    const coder = await loadCoder()
    const [{ child, parent }] = await pairs()
    const complete12 = [...Array.from({ length: 11 }, (_, i) => i + 1), 12, 12]
    const bad: { lengths: number[]; escapeBits?: number }[] = [
      { lengths: [1, 2] }, // Kraft 3/4
      { lengths: [1, 1, 1] }, // over-subscribed
      { lengths: complete12 }, // complete, but longer than 11
      { lengths: [2] }, // a single symbol listed with length 2
      { lengths: [] },
      { lengths: [1, 1], escapeBits: 8 }, // symbol 0 and an escape code
    ]
    for (const { lengths, escapeBits = 0 } of bad) {
      const out = new ByteWriter()
      const plan = new Uint8Array(7)
      plan[0] = 1
      out.append(plan)
      out.byte(1)
      writeTable({ lengths: Uint8Array.from(escapeBits ? lengths : [...lengths, 0]), escapeBits }, out)
      out.append(new Uint8Array(8))
      expectRefused(() => coder.decode(out.result(), child!, parent!), 'bad-table')
    }
  })
})

/** Where the single slab's last lane length varint sits (the body ends with that lane), and its value. */
function slabField(bytes: Uint8Array): { slabLengthAt: number; slabLength: number } {
  const reader = new Reader(bytes)
  const { tableCount } = readTablePlan(reader)
  for (let t = 0; t < tableCount; t++) readStaticCode(reader, 'table')
  reader.varint('slab rows')
  for (let x = 0; x < LANES - 1; x++) reader.varint('lane length')
  const slabLengthAt = reader.pos
  return { slabLengthAt, slabLength: reader.varint('lane length') }
}

/** The body with the last lane's length varint at `at` set to `length` and its bytes replaced by `lane`. */
function withSlabLength(bytes: Uint8Array, at: number, length: number, lane: number[]): Uint8Array {
  const reader = new Reader(bytes, at)
  const old = reader.varint('lane length')
  const out = new ByteWriter()
  out.append(bytes.subarray(0, at))
  out.varint(length)
  out.append(bytes.subarray(reader.pos, bytes.length - old))
  out.append(Uint8Array.from(lane))
  return out.result()
}

import { loadNative } from '@qchain/native'
import { rtnQuantize } from '@qchain/gptq'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { decode, decodeAlone, decodeAloneRows, decodeRows, encode, encodeAlone, type Child, type Parent, type QuantLevel, type RowBand } from '../src/index.js'
import { useNativeKernels } from '../src/native-kernels.js'
import { isHalfMatrix, isInt8Level } from '../src/types.js'
import { sameChild } from './compare.js'
import { expectRefused, withoutWebAssembly } from './module-copies.js'
import { int8Of, randomHalf } from './synthetic.js'

// The encoder cuts a static body into slabs of floor(2^20 / cols) rows: 64 here, so 150 rows make
// slabs of 64, 64 and 22 rows.
const ROWS = 150
const COLS = 16_384
const SLAB = 64
const BANDS: RowBand[] = [
  { first: 0, end: ROWS },
  { first: 0, end: SLAB },
  { first: SLAB, end: 2 * SLAB },
  { first: 2 * SLAB, end: ROWS },
  { first: SLAB, end: ROWS },
]

const native = loadNative()
type Api = Pick<typeof import('../src/index.js'), 'decodeRows'>
const KERNELS: { name: string; api: () => Promise<Api> }[] = [
  { name: 'webassembly', api: async () => ({ decodeRows }) },
  ...(native.loaded ? [{ name: 'native', api: async () => (useNativeKernels(native.kernels), { decodeRows }) }] : []),
  {
    name: 'typescript',
    // a fresh copy of the package, whose kernels load on first use, with WebAssembly hidden
    api: async () => {
      vi.resetModules()
      const copy = await import('../src/index.js')
      vi.resetModules()
      return { decodeRows: (bytes, parent, band) => withoutWebAssembly(() => copy.decodeRows(bytes, parent, band)) }
    },
  },
]

/** The parent as a band's decode gets it: its codes for those rows only, everything else whole. */
function parentRows(parent: Parent, band: RowBand): Parent {
  const cut = <T extends Int8Array | Uint8Array>(codes: T) => codes.subarray(band.first * parent.cols, band.end * parent.cols) as T
  return isInt8Level(parent) ? { ...parent, weight: cut(parent.weight) } : { ...parent, codes: cut(parent.codes) }
}

/** The band's rows of a child decoded whole: its values or codes (a code child's grid stays whole). */
function childRows(child: Child, band: RowBand): Child {
  const cut = <T extends Uint16Array | Uint8Array>(values: T) => values.subarray(band.first * child.cols, band.end * child.cols) as T
  return isHalfMatrix(child) ? { ...child, bits: cut(child.bits) } : { ...child, codes: cut(child.codes) }
}

const pairs: { name: string; child: Child; parent: Parent; stream: Uint8Array }[] = []

beforeAll(() => {
  const half = randomHalf(ROWS, COLS, 'f16', 21)
  const bf = randomHalf(ROWS, COLS, 'bf16', 22)
  const four = rtnQuantize(bf.values, ROWS, COLS, { bits: 4, groupSize: 128, sym: true })
  const eight = rtnQuantize(bf.values, ROWS, COLS, { bits: 8, groupSize: 128, sym: false })
  const list = [
    { name: 'fp16 | int8', child: half.child, parent: int8Of(half.values, ROWS, COLS) as Parent },
    { name: 'bf16 | GPTQ-4', child: bf.child, parent: four },
    { name: 'GPTQ-8 | GPTQ-4', child: eight, parent: four },
  ]
  for (const pair of list) pairs.push({ ...pair, stream: encode(pair.child, pair.parent, { coder: 'static' }) })
})

afterEach(() => useNativeKernels(null))

describe.each(KERNELS)('decodeRows with the $name row kernels', ({ api }) => {
  it.each(BANDS)('rows $first to $end equal those rows of a whole decode, for every pair', async (band) => {
    const { decodeRows: rows } = await api()
    for (const { name, stream, parent } of pairs) {
      const whole = decode(stream, parent)
      expect(sameChild(rows(stream, parentRows(parent, band), band), childRows(whole, band)), name).toBe(true)
    }
  })
})

describe('decodeRows refuses', () => {
  it('a band whose edges fall inside a slab, naming the slab size', () => {
    const { stream, parent } = pairs[0] as (typeof pairs)[number]
    for (const band of [{ first: 10, end: SLAB }, { first: 0, end: SLAB + 1 }]) {
      expectRefused(() => decodeRows(stream, parentRows(parent, band), band), 'unsupported-rows')
    }
  })

  it('streams that are not cut in slabs: the adaptive body, format version 1 and QStore', () => {
    const { child, parent } = pairs[1] as (typeof pairs)[number]
    const band = { first: 0, end: SLAB }
    for (const stream of [encode(child, parent, { coder: 'adaptive' }), encode(child, parent, { version: 1 }), encode(child, parent, { codec: 'qstore' })]) {
      expectRefused(() => decodeRows(stream, parentRows(parent, band), band), 'unsupported-rows')
    }
  })

  it('bands that are not rows of the matrix, and a parent holding other rows', () => {
    const { stream, parent } = pairs[0] as (typeof pairs)[number]
    for (const band of [{ first: 5, end: 5 }, { first: -64, end: 0 }, { first: 0, end: ROWS + 1 }, { first: 0.5, end: 64 }]) {
      expectRefused(() => decodeRows(stream, parent, band), 'bad-rows')
    }
    expectRefused(() => decodeRows(stream, parent, { first: 0, end: SLAB }), 'bad-parent')
  })
})

describe('decodeAloneRows', () => {
  it('decodes any band of a tensor coded alone, 16-bit or GPTQ, reading only its blocks', () => {
    for (const { child, parent } of pairs) {
      const tensor = isInt8Level(parent) ? child : parent
      const stream = encodeAlone(tensor)
      const whole = decodeAlone(stream)
      for (const band of [...BANDS, { first: 3, end: 97 }, { first: 149, end: 150 }]) {
        expect(sameChild(decodeAloneRows(stream, band), childRows(whole, band))).toBe(true)
      }
      expectRefused(() => decodeAloneRows(stream, { first: 10, end: 10 }), 'bad-rows')
    }
  })

  it('writes into a buffer of the stream\'s kind and length, and allocates instead of taking any other', () => {
    const { parent } = pairs[1] as (typeof pairs)[number]
    const stream = encodeAlone(parent as QuantLevel)
    const band = { first: SLAB, end: 2 * SLAB }
    const into = new Uint8Array(SLAB * COLS)
    const decoded = decodeAloneRows(stream, band, into) as QuantLevel
    expect(decoded.codes.buffer === into.buffer).toBe(true)
    expect(sameChild(decoded, childRows(decodeAlone(stream), band))).toBe(true)
    for (const other of [new Uint8Array(SLAB * COLS + 1), new Uint16Array(SLAB * COLS)]) {
      const fresh = decodeAloneRows(stream, band, other) as QuantLevel
      expect(fresh.codes.buffer === other.buffer).toBe(false)
      expect(sameChild(fresh, decoded)).toBe(true)
    }
  })
})

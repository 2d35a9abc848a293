import { describe, expect, it } from 'vitest'
import { ConditionalError, decode, decodeAlone, encode, encodeAlone, type Child, type CodecName, type HalfFormat, type Parent, type QuantLevel, type ResidualOptions } from '../src/index.js'
import { sameChild } from './compare.js'
import { halfValues, int8Of, levelOf, randomHalf, withOddGrid, withSurprises, withZeroRow, type LevelSpec } from './synthetic.js'

/** Every way to write a stream: the residual codec's coders and its version 1, and QStore's method. */
const OPTIONS: ({ codec: CodecName } & ResidualOptions)[] = [
  { codec: 'residual' },
  { codec: 'residual', coder: 'static' },
  { codec: 'residual', coder: 'adaptive' },
  { codec: 'residual', version: 1 },
  { codec: 'qstore' },
]
const FORMATS: HalfFormat[] = ['f16', 'bf16']

function expectRoundTrip(child: Child, parent: Parent): void {
  for (const options of OPTIONS) {
    const bytes = encode(child, parent, options)
    expect(sameChild(decode(bytes, parent), child), `${JSON.stringify(options)} round trip`).toBe(true)
  }
}

describe('options', () => {
  it('refuses format versions and coders that do not exist or do not apply', () => {
    const { child, values } = randomHalf(4, 32, 'f16', 3)
    const parent = int8Of(values, 4, 32)
    const refused = (options: object) => {
      expect(() => encode(child, parent, options as never)).toThrow(ConditionalError)
    }
    refused({ version: 3 })
    refused({ version: 1, coder: 'static' })
    refused({ coder: 'fastest' })
    refused({ codec: 'qstore', coder: 'adaptive' })
    refused({ codec: 'qstore', version: 0 })
    expect(decode(encode(child, parent, { codec: 'qstore', version: 1 }), parent)).toBeTruthy()
    expect(encode(child, parent, { codec: 'qstore', version: 1 })[2]).toBe(1)
  })
})

describe('16|int8', () => {
  for (const format of FORMATS) {
    it(`restores ${format} weights with zero rows, specials and far-out values`, () => {
      const base = withZeroRow(randomHalf(24, 300, format, 1).child)
      const parent = int8Of(base.values, 24, 300)
      expectRoundTrip(base.child, parent)
      expectRoundTrip(withSurprises(base.child, 2), parent)
    })
  }

  it('restores a matrix of nothing but special patterns and an SCB of Inf', () => {
    const { child } = randomHalf(4, 64, 'f16', 3)
    const bits = Uint16Array.from({ length: child.bits.length }, (_, i) => (i * 4099) & 0xffff)
    const parent = int8Of(halfValues(child.bits, 'f16'), 4, 64)
    parent.scb[1] = Infinity
    parent.scb[2] = NaN
    expectRoundTrip({ ...child, bits }, parent)
  })
})

const SPECS: [string, number, LevelSpec][] = [
  ['8-bit sym g128, partial last group', 352, { bits: 8, groupSize: 128, sym: true }],
  ['4-bit asym g128, partial last group', 352, { bits: 4, groupSize: 128, sym: false }],
  ['4-bit sym group size -1', 200, { bits: 4, groupSize: -1, sym: true }],
  ['8-bit asym, in_features < group size', 64, { bits: 8, groupSize: 128, sym: false }],
  ['4-bit sym act-order', 160, { bits: 4, groupSize: 32, sym: true, actOrder: true }],
]

describe('16|GPTQ', () => {
  for (const [name, cols, spec] of SPECS) {
    for (const format of FORMATS) {
      it(`restores ${format} given ${name}`, async () => {
        const base = withZeroRow(randomHalf(12, cols, format, cols).child)
        const parent = await levelOf(base.values, 12, cols, spec)
        expectRoundTrip(base.child, parent)
        expectRoundTrip(withSurprises(base.child, 5), parent)
      })
    }
  }

  it('restores weights given a parent grid with zero, NaN and Inf scales and out-of-range zeros', async () => {
    const base = randomHalf(8, 256, 'f16', 9)
    const parent = withOddGrid(await levelOf(base.values, 8, 256, { bits: 4, groupSize: 64, sym: false }))
    expectRoundTrip(base.child, parent)
  })
})

describe('8|4', () => {
  const cases: [string, number, LevelSpec, LevelSpec][] = [
    ['sym g128, partial last group', 352, { bits: 8, groupSize: 128, sym: true }, { bits: 4, groupSize: 128, sym: true }],
    ['asym', 256, { bits: 8, groupSize: 128, sym: false }, { bits: 4, groupSize: 128, sym: false }],
    ['child group size -1, parent g64', 192, { bits: 8, groupSize: -1, sym: true }, { bits: 4, groupSize: 64, sym: true }],
    ['act-order child', 160, { bits: 8, groupSize: 32, sym: true, actOrder: true }, { bits: 4, groupSize: 32, sym: true }],
    ['act-order parent', 160, { bits: 8, groupSize: 32, sym: false }, { bits: 4, groupSize: 32, sym: true, actOrder: true }],
    ['in_features < group size', 48, { bits: 8, groupSize: 128, sym: true }, { bits: 4, groupSize: 128, sym: false }],
  ]
  for (const [name, cols, childSpec, parentSpec] of cases) {
    it(`restores an 8-bit level given a 4-bit one: ${name}`, async () => {
      const { values } = randomHalf(10, cols, 'f16', cols + 1)
      const child = await levelOf(values, 10, cols, childSpec, 4)
      const parent = await levelOf(values, 10, cols, parentSpec, 5)
      expectRoundTrip(child, parent)
    })
  }

  it('restores a child whose grid the parent cannot predict (odd scales, custom g_idx, codes at both ends)', async () => {
    const { values } = randomHalf(6, 96, 'bf16', 12)
    const level = await levelOf(values, 6, 96, { bits: 8, groupSize: 32, sym: false })
    const gIdx = Int32Array.from({ length: 96 }, (_, j) => (j * 7) % 3)
    const codes = Uint8Array.from(level.codes, (code, i) => (i % 11 === 0 ? 0 : i % 13 === 0 ? 255 : code))
    const child: QuantLevel = { ...withOddGrid(level), gIdx, codes }
    const parent = await levelOf(values, 6, 96, { bits: 4, groupSize: 32, sym: true })
    expectRoundTrip(child, parent)
  })
})

describe('alone (no parent)', () => {
  it('restores 16-bit matrices and GPTQ levels, standard or custom g_idx', async () => {
    for (const format of FORMATS) {
      const child = withSurprises(randomHalf(8, 200, format, 30).child, 31)
      expect(sameChild(decodeAlone(encodeAlone(child)), child)).toBe(true)
    }
    const { values } = randomHalf(8, 160, 'f16', 32)
    for (const spec of [{ bits: 4, groupSize: 64, sym: false }, { bits: 8, groupSize: 32, sym: true, actOrder: true }] as LevelSpec[]) {
      const level = await levelOf(values, 8, 160, spec)
      expect(sameChild(decodeAlone(encodeAlone(level)), level)).toBe(true)
    }
  })

  it('refuses a truncated alone stream', () => {
    const bytes = encodeAlone(randomHalf(4, 64, 'bf16', 33).child)
    for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeAlone(bytes.subarray(0, cut))).toThrow(ConditionalError)
  })
})

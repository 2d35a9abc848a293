import { describe, expect, it } from 'vitest'
import { ConditionalError, decode, encode, type Child, type Parent, type QuantLevel } from '../src/index.js'
import { sameChild } from './compare.js'
import { expectRefused } from './module-copies.js'
import { seededRandom } from './random.js'
import { int8Of, levelOf, randomHalf, withSurprises } from './synthetic.js'

/** Decodes a damaged stream: it must throw a ConditionalError or return a child of the right shape. */
function decodeOrRefuse(bytes: Uint8Array, parent: Parent, child: Child): void {
  try {
    const back = decode(bytes, parent)
    expect(back.rows * back.cols).toBe(child.rows * child.cols)
  } catch (error) {
    if (!(error instanceof ConditionalError)) throw error
  }
}

const HEADER_BYTES = 16

async function samples(): Promise<{ name: string; child: Child; parent: Parent; other: Parent }[]> {
  const { child, values } = randomHalf(6, 160, 'f16', 21)
  const surprising = withSurprises(child, 22)
  const int8 = int8Of(values, 6, 160)
  const q4 = await levelOf(values, 6, 160, { bits: 4, groupSize: 64, sym: false })
  const q8 = await levelOf(values, 6, 160, { bits: 8, groupSize: 32, sym: true, actOrder: true })
  const otherValues = randomHalf(6, 160, 'f16', 23).values
  const otherInt8 = int8Of(otherValues, 6, 160)
  const otherQ4 = await levelOf(otherValues, 6, 160, { bits: 4, groupSize: 64, sym: false })
  return [
    { name: '16|int8', child: surprising, parent: int8, other: otherInt8 },
    { name: '16|4', child: surprising, parent: q4, other: otherQ4 },
    { name: '8|4', child: q8, parent: q4, other: otherQ4 },
  ]
}

describe('wrong or broken parents', async () => {
  const cases = await samples()

  it('refuses a parent of another shape, group count, kind or scales', async () => {
    const { child, values } = randomHalf(6, 160, 'f16', 21)
    const q4 = await levelOf(values, 6, 160, { bits: 4, groupSize: 64, sym: true })
    const bytes = encode(child, q4)
    const rows = await levelOf(values.subarray(0, 5 * 160), 5, 160, { bits: 4, groupSize: 64, sym: true })
    const groups = await levelOf(values, 6, 160, { bits: 4, groupSize: 32, sym: true })
    const bits = await levelOf(values, 6, 160, { bits: 8, groupSize: 64, sym: true })
    expectRefused(() => decode(bytes, rows), 'wrong-parent')
    expectRefused(() => decode(bytes, groups), 'wrong-parent')
    expectRefused(() => decode(bytes, bits), 'wrong-parent')
    expectRefused(() => decode(bytes, int8Of(values, 6, 160)), 'wrong-parent')
    for (const { child: c, parent, other } of cases) expectRefused(() => decode(encode(c, parent), other), 'wrong-parent')
  })

  it('refuses inconsistent parents and children', async () => {
    const { child, values } = randomHalf(6, 160, 'f16', 21)
    const q4 = await levelOf(values, 6, 160, { bits: 4, groupSize: 64, sym: true })
    const bytes = encode(child, q4)
    const broken: QuantLevel[] = [
      { ...q4, gIdx: q4.gIdx.map((g) => g + 1) },
      { ...q4, codes: q4.codes.map((c) => c | 0x10) },
      { ...q4, scales: q4.scales.subarray(1) },
      { ...q4, zeros: q4.zeros.subarray(1) },
      { ...q4, codes: q4.codes.subarray(1) },
    ]
    for (const parent of broken) {
      expectRefused(() => decode(bytes, parent), 'bad-parent')
      expectRefused(() => encode(child, parent), 'bad-parent')
    }
    expectRefused(() => encode({ ...child, bits: child.bits.subarray(1) }, q4), 'bad-child')
    expectRefused(() => encode(q4, int8Of(values, 6, 160)), 'unsupported-pair')
    expectRefused(() => decode(bytes, q4, new Uint16Array(3)), 'bad-child')
  })
})

describe('damaged streams', async () => {
  const cases = await samples()
  // Version 1 residual streams (written before format version 2) must still read and be checked as strictly.
  const options = [{ codec: 'residual' }, { codec: 'residual', version: 1 }, { codec: 'qstore' }] as const
  const streams = cases.flatMap(({ name, child, parent }) => options.map((option) => ({ name: `${name} ${option.codec} v${'version' in option ? 1 : 2}`, child, parent, bytes: encode(child, parent, option) })))

  it('decodes the intact samples', () => {
    for (const { child, parent, bytes } of streams) expect(sameChild(decode(bytes, parent), child)).toBe(true)
  })

  it('refuses header damage with the exact problem', () => {
    for (const { parent, bytes } of streams) {
      const patched = (at: number, value: number) => Uint8Array.from(bytes, (b, i) => (i === at ? value : b))
      expectRefused(() => decode(patched(0, 0x52), parent), 'bad-magic')
      expectRefused(() => decode(patched(2, 0), parent), 'bad-version')
      expectRefused(() => decode(patched(2, 3), parent), 'bad-version')
      expectRefused(() => decode(patched(3, 9), parent), 'bad-header')
      expectRefused(() => decode(patched(4, 7), parent), 'bad-header')
      expectRefused(() => decode(patched(12, bytes[12]! ^ 1), parent), 'wrong-parent')
      expectRefused(() => decode(Uint8Array.from([...bytes, 0]), parent), 'trailing-bytes')
      for (let cut = 0; cut < HEADER_BYTES; cut++) expectRefused(() => decode(bytes.subarray(0, cut), parent), 'truncated')
    }
  })

  it('refuses the stream cut at every position', () => {
    for (const { parent, bytes } of streams) {
      for (let cut = 0; cut < bytes.length; cut++) expectRefused(() => decode(bytes.subarray(0, cut), parent))
    }
  })

  it('survives seeded mutations: every outcome is a ConditionalError or a decode of the right shape', () => {
    const random = seededRandom(77)
    for (let round = 0; round < 1500; round++) {
      const { child, parent, bytes } = streams[round % streams.length]!
      const damaged = Uint8Array.from(bytes)
      const edits = 1 + Math.floor(random() * 3)
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * damaged.length)
        damaged[at] = random() < 0.5 ? damaged[at]! ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256)
      }
      decodeOrRefuse(damaged, parent, child)
    }
  })
})

import { describe, expect, it } from 'vitest'
import { bf16BitsToF32Bits, f16BitsToF32Bits, f32BitsToBf16Bits, f32BitsToF16Bits } from '../src/index.js'

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)
const valueOfBits = (bits: number) => ((u32[0] = bits), f32[0] as number)
const bitsOfValue = (value: number) => ((f32[0] = value), u32[0] as number)

/** Deterministic 32-bit generator so failures reproduce. */
function* randomBits(count: number, seed = 12345): Generator<number> {
  let state = seed >>> 0
  for (let i = 0; i < count; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    yield state >>> 0
  }
}

/** Every 16-bit pattern for which `fails` holds. */
function patternsWhere(fails: (bits: number) => boolean): number[] {
  const found: number[] = []
  for (let bits = 0; bits < 65536; bits++) if (fails(bits)) found.push(bits)
  return found
}

/** The fp16 value of every finite non-negative pattern, in increasing order (pattern = index). */
const positiveHalves = Array.from({ length: 0x7c00 }, (_, bits) => valueOfBits(f16BitsToF32Bits(bits)))

/** Nearest fp16 by search over the exhaustive table, ties to the even pattern; independent of the bit tricks. */
function referenceF16(bits: number): number {
  const value = valueOfBits(bits)
  const sign = bits >>> 31 ? 0x8000 : 0
  if (Number.isNaN(value)) return -1
  const magnitude = Math.abs(value)
  // Values at or past 65520 (halfway between the largest finite and the next power) round to Inf.
  if (magnitude >= 65520) return sign | 0x7c00
  let low = 0
  let high = positiveHalves.length - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if ((positiveHalves[mid] as number) <= magnitude) low = mid
    else high = mid - 1
  }
  if (low === positiveHalves.length - 1) return sign | low
  const below = positiveHalves[low] as number
  const above = positiveHalves[low + 1] as number
  const pick = magnitude - below < above - magnitude ? low : magnitude - below > above - magnitude ? low + 1 : low % 2 === 0 ? low : low + 1
  return sign | pick
}

describe('fp16', () => {
  it('every one of the 65,536 patterns survives fp16 -> f32 -> fp16 exactly (NaN payloads, -0, subnormals)', () => {
    expect(patternsWhere((bits) => f32BitsToF16Bits(f16BitsToF32Bits(bits)) !== bits)).toEqual([])
  })

  it('decodes to the value the format defines', () => {
    expect(valueOfBits(f16BitsToF32Bits(0x3c00))).toBe(1)
    expect(valueOfBits(f16BitsToF32Bits(0xc000))).toBe(-2)
    expect(valueOfBits(f16BitsToF32Bits(0x0001))).toBe(2 ** -24)
    expect(valueOfBits(f16BitsToF32Bits(0x03ff))).toBe(1023 * 2 ** -24)
    expect(valueOfBits(f16BitsToF32Bits(0x7bff))).toBe(65504)
    expect(valueOfBits(f16BitsToF32Bits(0x7c00))).toBe(Infinity)
    expect(Object.is(valueOfBits(f16BitsToF32Bits(0x8000)), -0)).toBe(true)
    expect(Number.isNaN(valueOfBits(f16BitsToF32Bits(0x7e01)))).toBe(true)
  })

  it('rounds float32 to the nearest fp16, ties to even, like a search over all fp16 values', () => {
    const halfway = [0x3c00, 0x0001, 0x03ff, 0x7bfe].map((bits) => (valueOfBits(f16BitsToF32Bits(bits)) + valueOfBits(f16BitsToF32Bits(bits + 1))) / 2)
    const special = [65519.99, 65520, 1e-8, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -26, ...halfway].flatMap((v) => [bitsOfValue(v), bitsOfValue(-v)])
    const wrong: string[] = []
    for (const bits of [...special, ...randomBits(200_000)]) {
      const expected = referenceF16(bits)
      const got = f32BitsToF16Bits(bits)
      const ok = expected >= 0 ? got === expected : (got & 0x7fff) > 0x7c00
      if (!ok) wrong.push(`f32 ${bits.toString(16)} -> ${got.toString(16)}, expected ${expected.toString(16)}`)
    }
    expect(wrong).toEqual([])
  })
})

describe('bf16', () => {
  it('every one of the 65,536 patterns survives bf16 -> f32 -> bf16 exactly', () => {
    expect(patternsWhere((bits) => f32BitsToBf16Bits(bf16BitsToF32Bits(bits)) !== bits)).toEqual([])
  })

  it('rounds float32 to the nearest bf16, ties to even, and keeps NaN a NaN', () => {
    const wrong: string[] = []
    for (const bits of randomBits(200_000, 777)) {
      const value = valueOfBits(bits)
      const got = f32BitsToBf16Bits(bits)
      if (Number.isNaN(value)) {
        if (!Number.isNaN(valueOfBits(bf16BitsToF32Bits(got)))) wrong.push(`NaN ${bits.toString(16)} -> ${got.toString(16)}`)
        continue
      }
      const down = (bits & 0xffff0000) >>> 0
      const gap = Math.abs(value - valueOfBits(down))
      // Past the largest finite bf16 the next step up is 2^128 (which rounds to Inf).
      const upBits = (down + 0x10000) >>> 0
      const upValue = (upBits & 0x7f800000) === 0x7f800000 ? Math.sign(value) * 2 ** 128 : valueOfBits(upBits)
      const upGap = Math.abs(upValue - value)
      const expected = gap < upGap || (gap === upGap && ((down >>> 16) & 1) === 0)? down >>> 16 : ((down + 0x10000) >>> 16) & 0xffff
      if (got !== expected) wrong.push(`f32 ${bits.toString(16)} -> ${got.toString(16)}, expected ${expected.toString(16)}`)
    }
    expect(wrong).toEqual([])
  })
})

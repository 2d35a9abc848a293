import { describe, expect, it } from 'vitest'
import { bf16BitsToF32Bits, f16BitsToF32Bits, f32BitsToBf16Bits, f32BitsToF16Bits } from '@qchain/tensor'
import { f16BitsToNumber, f32ToBf16Bits, f32ToF16Bits, fromOrdered, toOrdered } from '../src/half.js'
import { f16QuarterLog2, quarterLog2 } from '../src/log-scale.js'
import { seededRandom } from './random.js'

const f32 = new Float32Array(1)
const f32Bits = new Uint32Array(f32.buffer)

describe('16-bit patterns', () => {
  it('orders all 65536 patterns monotonically and invertibly', () => {
    let bad = 0
    let previous = -Infinity
    for (let ordered = 0; ordered < 65536; ordered++) {
      const bits = fromOrdered(ordered)
      if (toOrdered(bits) !== ordered) bad++
      f32Bits[0] = f16BitsToF32Bits(bits)
      const value = f32[0] as number
      if (Number.isNaN(value)) continue
      if (value < previous || f16BitsToNumber(bits) !== value) bad++
      previous = value
    }
    expect(bad).toBe(0)
    expect(toOrdered(0x8000) + 1).toBe(toOrdered(0x0000))
    expect(toOrdered(0x3c01) - toOrdered(0x3c00)).toBe(1)
  })

  it('rounds float32 values to fp16 and bf16 like @qchain/tensor', () => {
    const random = seededRandom(5)
    let bad = 0
    for (let i = 0; i < 200_000; i++) {
      f32Bits[0] = Math.floor(random() * 2 ** 32)
      const bits = f32Bits[0] as number
      const value = f32[0] as number
      if (Number.isNaN(value)) continue
      if (f32ToF16Bits(value) !== f32BitsToF16Bits(bits) || f32ToBf16Bits(value) !== f32BitsToBf16Bits(bits)) bad++
    }
    expect(bad).toBe(0)
    expect(bf16BitsToF32Bits(f32ToBf16Bits(1))).toBe(0x3f800000)
  })
})

describe('quarterLog2', () => {
  it('is floor(4 log2 x) away from the quarter-octave boundaries', () => {
    const random = seededRandom(6)
    let bad = 0
    for (let i = 0; i < 100_000; i++) {
      const x = Math.fround(2 ** (60 * random() - 30))
      const exact = 4 * Math.log2(x)
      if (Math.abs(exact - Math.round(exact)) > 1e-9 && quarterLog2(x) !== Math.floor(exact)) bad++
    }
    expect(bad).toBe(0)
    expect(quarterLog2(1)).toBe(0)
    expect(quarterLog2(2 ** 0.5 * 1.0000001)).toBe(2)
    expect(quarterLog2(0)).toBeLessThan(-500)
    expect(quarterLog2(2 ** -140)).toBe(-560)
  })

  it('of fp16 patterns by table equals quarterLog2 of their magnitudes', () => {
    for (let bits = 0; bits < 0x10000; bits++) expect(f16QuarterLog2(bits)).toBe(quarterLog2(Math.abs(f16BitsToNumber(bits))))
  })
})

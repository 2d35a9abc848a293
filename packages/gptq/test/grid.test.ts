import { f16BitsToF32Bits } from '@qchain/tensor'
import { describe, expect, it } from 'vitest'
import { gridParams, maxCode, quantizeCode, type QuantBits } from '../src/index.js'
import { seededRandom } from './helpers.js'

function f16Value(bits: number): number {
  return new Float32Array(new Uint32Array([f16BitsToF32Bits(bits)]).buffer)[0] as number
}

const dequant = (w: number, p: { scale: number; zero: number }, bits: QuantBits): number =>
  p.scale * (quantizeCode(w, p.scale, p.zero, maxCode(bits)) - p.zero)

describe('quantizer grid', () => {
  it('asymmetric: scale = range / maxq rounded to fp16, zero = round(-xmin / scale)', () => {
    const p = gridParams(-1, 2, { bits: 4, sym: false })
    expect(p.scale).toBe(f16Value(p.scaleBits))
    expect(Math.abs(p.scale - 0.2)).toBeLessThan(1e-4)
    expect(p.zero).toBe(5)
  })

  it('symmetric: mirrors the larger side and puts the zero point at 2^(bits-1)', () => {
    const p = gridParams(-1, 2, { bits: 4, sym: true })
    expect(Math.abs(p.scale - 4 / 15)).toBeLessThan(2e-4)
    expect(p.zero).toBe(8)
    expect(gridParams(-3, 1, { bits: 8, sym: true }).zero).toBe(128)
  })

  it('symmetric over a nonnegative range keeps xmin = 0 like the reference (half the grid unused)', () => {
    const p = gridParams(0.5, 3, { bits: 4, sym: true })
    expect(Math.abs(p.scale - 0.2)).toBeLessThan(1e-4)
    expect(p.zero).toBe(8)
    expect(quantizeCode(3, p.scale, p.zero, 15)).toBe(15)
  })

  it('turns an all-zero range into [-1, 1], so zero rows stay exactly zero', () => {
    for (const sym of [false, true]) {
      const p = gridParams(0, 0, { bits: 4, sym })
      expect(Math.abs(p.scale - 2 / 15)).toBeLessThan(1e-4)
      expect(dequant(0, p, 4)).toBe(0)
    }
  })

  for (const bits of [2, 3, 4, 8] as const) {
    for (const sym of [false, true]) {
      it(`${bits}-bit ${sym ? 'sym' : 'asym'}: codes in range, zero exact, error within a step, ends clamp`, () => {
        const random = seededRandom(bits * 10 + Number(sym))
        const maxq = maxCode(bits)
        for (let trial = 0; trial < 200; trial++) {
          const min = -random() * 3
          const max = random() * 3
          const p = gridParams(min, max, { bits, sym })
          expect(Number.isInteger(p.zero)).toBe(true)
          expect(dequant(0, p, bits)).toBe(0)
          for (let i = 0; i < 20; i++) {
            const w = min + (max - min) * random()
            const code = quantizeCode(w, p.scale, p.zero, maxq)
            expect(code).toBeGreaterThanOrEqual(0)
            expect(code).toBeLessThanOrEqual(maxq)
            // Half a step inside the grid; up to a step at the ends (the rounded zero point, and the
            // symmetric grid's top code is 2^(bits-1) - 1 steps above zero, not maxq / 2).
            expect(Math.abs(dequant(w, p, bits) - w)).toBeLessThanOrEqual(p.scale * 1.001)
          }
          expect(quantizeCode(1e9, p.scale, p.zero, maxq)).toBe(maxq)
          expect(quantizeCode(-1e9, p.scale, p.zero, maxq)).toBe(0)
        }
      })
    }
  }

  it('refuses a range too wide for an fp16 scale, and gives a tiny range the smallest fp16 step', () => {
    expect(() => gridParams(-1e6, 1e6, { bits: 4, sym: true })).toThrow(expect.objectContaining({ problem: 'scale-out-of-range' }))
    expect(gridParams(0, 1e-12, { bits: 4, sym: false }).scaleBits).toBe(1)
  })

  it('rounds ties to even like torch.round', () => {
    expect(quantizeCode(0.5, 1, 4, 15)).toBe(4)
    expect(quantizeCode(1.5, 1, 4, 15)).toBe(6)
    expect(quantizeCode(-2.5, 1, 4, 15)).toBe(2)
  })
})

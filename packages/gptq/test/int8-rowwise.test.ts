import { describe, expect, it } from 'vitest'
import { dequantizeInt8Rowwise, quantizeInt8Rowwise, roundHalfEven } from '../src/index.js'

describe('roundHalfEven', () => {
  it('sends ties to the even neighbour, in both signs', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, 2, -3])
  })
})

describe('quantizeInt8Rowwise', () => {
  it('scales each row by its absmax and keeps zero rows at zero', () => {
    const values = new Float32Array([0.5, -1, 0.25, 0, 0, 0, 2, 1, -0.5])
    const level = quantizeInt8Rowwise(values, 3, 3)
    expect(Array.from(level.scb)).toEqual([1, 0, 2])
    expect(Array.from(level.weight)).toEqual([64, -127, 32, 0, 0, 0, 127, 64, -32])
    const back = dequantizeInt8Rowwise(level)
    for (let i = 0; i < values.length; i++) expect(Math.abs((back[i] as number) - (values[i] as number))).toBeLessThanOrEqual(2 / 254 + 1e-7)
  })

  it('refuses a shape that does not match the values', () => {
    expect(() => quantizeInt8Rowwise(new Float32Array(5), 2, 3)).toThrow(RangeError)
  })
})

import { describe, expect, it } from 'vitest'
import { f32ToBf16, f32ToF16, toFloat32, typedView } from '../src/index.js'

describe('typedView', () => {
  it('views aligned bytes without copying and copies unaligned ones', () => {
    const buffer = new Uint8Array(12)
    new Float32Array(buffer.buffer).set([1, 2, 3])
    const aligned = typedView(buffer.subarray(4), 'F32')
    expect(aligned.buffer).toBe(buffer.buffer)
    expect(Array.from(aligned)).toEqual([2, 3])
    const shifted = new Uint8Array(13)
    shifted.set(buffer, 1)
    const copied = typedView(shifted.subarray(1), 'F32')
    expect(copied.buffer).not.toBe(shifted.buffer)
    expect(Array.from(copied)).toEqual([1, 2, 3])
  })

  it('refuses a byte count that is not a whole number of elements', () => {
    expect(() => typedView(new Uint8Array(6), 'F32')).toThrow(/whole number/)
  })
})

describe('toFloat32', () => {
  it('decodes F16, BF16, F32 and F64 tensors', () => {
    const values = new Float32Array([1.5, -0.25, 65504, 0])
    const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
    expect(Array.from(toFloat32(bytesOf(f32ToF16(values)), 'F16'))).toEqual(Array.from(values))
    expect(Array.from(toFloat32(bytesOf(f32ToBf16(new Float32Array([1.5, -0.25, 0]))), 'BF16'))).toEqual([1.5, -0.25, 0])
    expect(Array.from(toFloat32(bytesOf(values), 'F32'))).toEqual(Array.from(values))
    expect(Array.from(toFloat32(bytesOf(new Float64Array([2, -3])), 'F64'))).toEqual([2, -3])
    expect(() => toFloat32(new Uint8Array(4), 'I32')).toThrow(/not a floating-point/)
  })
})

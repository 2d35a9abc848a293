import { describe, expect, it } from 'vitest'
import { sha256Hex, xxh32 } from '../src/index.js'
import { randomBytes, sha256 } from './chain.js'

const text = (value: string) => new TextEncoder().encode(value)

describe('xxh32', () => {
  it('matches the reference vectors (seed 0)', () => {
    expect(xxh32(text(''))).toBe(0x02cc5d05)
    expect(xxh32(text('a'))).toBe(0x550d7456)
    expect(xxh32(text('abc'))).toBe(0x32d153ff)
    expect(xxh32(text('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f)
  })

  it('gives the same value for any alignment of the same bytes', () => {
    const bytes = randomBytes(1000, 7)
    const expected = xxh32(bytes)
    for (let shift = 1; shift < 8; shift++) {
      const shifted = new Uint8Array(bytes.length + shift)
      shifted.set(bytes, shift)
      expect(xxh32(shifted.subarray(shift))).toBe(expected)
    }
  })

  it('changes on every single-byte flip, at every position of a short buffer', () => {
    const bytes = randomBytes(67, 3)
    const expected = xxh32(bytes)
    for (let at = 0; at < bytes.length; at++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const copy = bytes.slice()
        copy[at] = (copy[at] as number) ^ mask
        expect(xxh32(copy)).not.toBe(expected)
      }
    }
  })
})

describe('sha256Hex', () => {
  it('agrees with node:crypto', async () => {
    for (const length of [0, 1, 64, 100_000]) {
      const bytes = randomBytes(length, length + 1)
      expect(await sha256Hex(bytes)).toBe(sha256(bytes))
    }
  })
})

import { describe, expect, it } from 'vitest'
import { buildCodeLengths, canonicalCodes, checkCompleteCode, entropyBits, HuffmanError } from '../src/index.js'

function kraftSum(lengths: Uint8Array): number {
  return lengths.reduce((sum, length) => sum + (length ? 2 ** -length : 0), 0)
}

function fibonacci(count: number): number[] {
  const out = [1, 1]
  while (out.length < count) out.push((out[out.length - 1] as number) + (out[out.length - 2] as number))
  return out
}

describe('buildCodeLengths', () => {
  it('matches plain Huffman when the limit does not bind', () => {
    expect(Array.from(buildCodeLengths([5, 9, 12, 13, 16, 45], 15))).toEqual([4, 4, 3, 3, 3, 1])
    expect(Array.from(buildCodeLengths([0, 3, 0, 3], 15))).toEqual([0, 1, 0, 1])
  })

  it('keeps Fibonacci-like frequencies within the limit with a complete code', () => {
    const counts = fibonacci(30)
    expect(Math.max(...buildCodeLengths(counts, 32))).toBe(29)
    for (const limit of [5, 8, 11, 12, 15]) {
      const lengths = buildCodeLengths(counts, limit)
      expect(Math.max(...lengths)).toBe(limit)
      expect(kraftSum(lengths)).toBe(1)
      expect(checkCompleteCode(lengths)).toBe(limit)
    }
  })

  it('is optimal for its limit: never worse than a flat code, close to entropy when loose', () => {
    const counts = fibonacci(20).concat(Array.from({ length: 200 }, (_, i) => 1 + (i % 7)))
    const cost = (lengths: Uint8Array) => lengths.reduce((sum, length, i) => sum + length * (counts[i] as number), 0)
    const lengths = buildCodeLengths(counts, 8)
    expect(kraftSum(lengths)).toBe(1)
    expect(cost(lengths)).toBeLessThanOrEqual(8 * counts.reduce((a, b) => a + b, 0))
    const loose = buildCodeLengths(counts, 15)
    expect(cost(loose)).toBeLessThan(entropyBits(counts) + counts.reduce((a, b) => a + b, 0))
    expect(cost(loose)).toBeLessThanOrEqual(cost(lengths))
  })

  it('handles zero, one and exactly 2^limit used codes, and refuses more', () => {
    expect(Array.from(buildCodeLengths([0, 0], 4))).toEqual([0, 0])
    expect(Array.from(buildCodeLengths([0, 7], 4))).toEqual([0, 1])
    expect(Array.from(buildCodeLengths(new Array(16).fill(1), 4))).toEqual(new Array(16).fill(4))
    expect(() => buildCodeLengths(new Array(17).fill(1), 4)).toThrow(HuffmanError)
  })
})

describe('canonicalCodes', () => {
  it('assigns increasing codes by length then index, bit-reversed for LSB-first streams', () => {
    // Canonical codes: a=0 (1 bit), b=10, c=110, d=111; reversed: 0, 01, 011, 111.
    expect(Array.from(canonicalCodes(Uint8Array.of(1, 2, 3, 3)))).toEqual([0b0, 0b01, 0b011, 0b111])
  })
})

describe('checkCompleteCode', () => {
  it('refuses over-subscribed, incomplete, too long and single-code tables', () => {
    expect(() => checkCompleteCode(Uint8Array.of(1, 1, 1))).toThrow(expect.objectContaining({ problem: 'kraft' }))
    expect(() => checkCompleteCode(Uint8Array.of(1, 2))).toThrow(expect.objectContaining({ problem: 'kraft' }))
    expect(() => checkCompleteCode(Uint8Array.of(1, 2, 2), 1)).toThrow(expect.objectContaining({ problem: 'bad-table' }))
    expect(() => checkCompleteCode(Uint8Array.of(0, 1, 0))).toThrow(expect.objectContaining({ problem: 'bad-table' }))
  })
})

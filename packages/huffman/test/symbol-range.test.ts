import { describe, expect, it } from 'vitest'
import { decodeSymbolRange, decodeSymbols, encodeSymbols, HuffmanError } from '../src/index.js'
import { laplacianSymbols } from './synthetic.js'

describe('decodeSymbolRange', () => {
  // 10 blocks of 1000 symbols: ranges below cut blocks, span them, or match their edges.
  const symbols = laplacianSymbols(10_000, 12, 255, 128, 11)
  const stream = encodeSymbols(symbols, { blockSize: 1000 })

  it.each([
    [0, 10_000],
    [0, 1000],
    [1000, 3000],
    [1500, 1600],
    [999, 1001],
    [2500, 7321],
    [9999, 10_000],
    [4000, 4000],
  ])('symbols %i..%i equal the slice of a whole decode', (from, to) => {
    const part = decodeSymbolRange(stream, from, to, { expectedCount: 10_000, expectedWidth: 1 })
    expect(part).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(part)).toEqual(Buffer.from(symbols.subarray(from, to)))
  })

  it('decodes 16-bit streams and run blocks', () => {
    const wide = new Uint16Array(5000).map((_, i) => (i < 2000 ? 40_000 : (i * 7919) % 65_536))
    const wideStream = encodeSymbols(wide, { blockSize: 1000 })
    expect(Array.from(decodeSymbolRange(wideStream, 1200, 2700))).toEqual(Array.from(wide.subarray(1200, 2700)))
    expect(Array.from(decodeSymbolRange(wideStream, 0, 5000))).toEqual(Array.from(decodeSymbols(wideStream)))
  })

  it('writes into a given output, refusing one too short or of another width', () => {
    const out = new Uint8Array(3000).fill(7)
    const part = decodeSymbolRange(stream, 1500, 3500, { out })
    expect(part.buffer).toBe(out.buffer)
    expect(Buffer.from(part)).toEqual(Buffer.from(symbols.subarray(1500, 3500)))
    expect(out[2000]).toBe(7)
    expect(() => decodeSymbolRange(stream, 0, 3001, { out })).toThrow(expect.objectContaining({ problem: 'output-size' }))
    expect(() => decodeSymbolRange(stream, 0, 10, { out: new Uint16Array(10) })).toThrow(expect.objectContaining({ problem: 'output-size' }))
  })

  it('refuses a range outside the stream, and a stream of another count', () => {
    for (const [from, to] of [[-1, 5], [5, 4], [0, 10_001], [0.5, 3]] as const) {
      expect(() => decodeSymbolRange(stream, from, to)).toThrow(expect.objectContaining({ problem: 'bad-option' }))
    }
    expect(() => decodeSymbolRange(stream, 0, 10, { expectedCount: 9999 })).toThrow(HuffmanError)
  })

  it('checks the blocks it decodes: damage inside the range is refused, damage outside it is not read', () => {
    const damaged = stream.slice()
    // the last block's bytes: its stream lengths or bits no longer add up
    damaged.fill(0xff, damaged.length - 40)
    expect(() => decodeSymbolRange(damaged, 9500, 10_000)).toThrow(HuffmanError)
    expect(Buffer.from(decodeSymbolRange(damaged, 0, 8000))).toEqual(Buffer.from(symbols.subarray(0, 8000)))
  })
})

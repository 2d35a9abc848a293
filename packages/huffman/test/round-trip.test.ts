import { describe, expect, it } from 'vitest'
import { decodeSymbols, encodeSymbols, HuffmanError, sizeBreakdown, type EncodeOptions, type SymbolArray } from '../src/index.js'
import { geometricSymbols, laplacianSymbols, seededRandom, uniformSymbols } from './synthetic.js'

function roundTrip(symbols: SymbolArray, options?: EncodeOptions): Uint8Array {
  const encoded = encodeSymbols(symbols, options)
  const decoded = decodeSymbols(encoded)
  expect(decoded.constructor).toBe(symbols.constructor)
  expect(decoded.length).toBe(symbols.length)
  expect(Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength).equals(Buffer.from(symbols.buffer, symbols.byteOffset, symbols.byteLength))).toBe(true)
  return encoded
}

/** A 16-bit alphabet: a few frequent symbols spread over the range and many that occur once or twice. */
function sparseWideSymbols(count: number, seed: number): Uint16Array {
  const random = seededRandom(seed)
  const frequent = [0, 7, 1000, 32768, 65535]
  const out = new Uint16Array(count)
  for (let i = 0; i < count; i++) out[i] = random() < 0.9 ? (frequent[Math.floor(random() * frequent.length)] as number) : Math.floor(random() * 65536)
  return out
}

describe('round trips', () => {
  it('handles the empty input, one symbol and a single repeated symbol (run block)', () => {
    expect(sizeBreakdown(roundTrip(new Uint8Array(0))).blocks).toEqual({ raw: 0, run: 0, huffman: 0 })
    roundTrip(new Uint8Array([42]))
    const run = roundTrip(new Uint16Array(100_000).fill(65535))
    expect(sizeBreakdown(run).blocks).toEqual({ raw: 0, run: 1, huffman: 0 })
    expect(run.length).toBeLessThan(16)
  })

  it('handles two symbols', () => {
    const symbols = Uint8Array.from({ length: 5000 }, (_, i) => ((i * 7) % 3 === 0 ? 200 : 3))
    const encoded = roundTrip(symbols)
    expect(sizeBreakdown(encoded).blocks.huffman).toBe(1)
    expect(encoded.length).toBeLessThan(5000 / 8 + 32)
  })

  it('stores data that does not compress as raw blocks', () => {
    const symbols = uniformSymbols(300_000, 256, 1)
    const encoded = roundTrip(symbols, { blockSize: 131_072 })
    expect(sizeBreakdown(encoded).blocks).toEqual({ raw: 3, run: 0, huffman: 0 })
    expect(encoded.length).toBeLessThan(symbols.length + 32)
  })

  it('codes skewed distributions close to their entropy', () => {
    for (const symbols of [geometricSymbols(200_000, 0.3, 255, 2), laplacianSymbols(200_000, 4, 127, 128, 3), laplacianSymbols(200_000, 1.2, 7, 8, 4)]) {
      const report = sizeBreakdown(roundTrip(symbols, { blockSize: 131_072 }))
      expect(report.blocks.huffman).toBe(2)
    }
  })

  it('handles sizes around block boundaries', () => {
    const blockSize = 4096
    for (const count of [blockSize - 1, blockSize, blockSize + 1, 3 * blockSize, 3 * blockSize + 5, 7]) {
      roundTrip(laplacianSymbols(count, 5, 127, 128, count), { blockSize })
      roundTrip(new Uint16Array(laplacianSymbols(count, 30, 127, 128, count)), { blockSize })
    }
  })

  it('escapes rare symbols of a 2^16 alphabet instead of listing them', () => {
    const symbols = sparseWideSymbols(100_000, 5)
    const encoded = roundTrip(symbols)
    const report = sizeBreakdown(encoded)
    expect(report.blocks.huffman).toBe(1)
    expect(report.tableBytes).toBeLessThan(64)
    // ~10% of symbols are rare: escape code plus 16 raw bits each, the rest ~2.3 bits.
    expect(encoded.length).toBeLessThan(100_000 * (0.9 * 2.6 + 0.1 * 20) / 8)
  })

  it('forces escapes when there are more symbols than codes of the allowed length', () => {
    const random = seededRandom(6)
    const symbols = Uint16Array.from({ length: 60_000 }, () => Math.floor(random() * random() * 3000))
    for (const maxCodeLength of [8, 11, 15]) roundTrip(symbols, { maxCodeLength })
  })

  it('round trips every allowed maximum code length', () => {
    const symbols = geometricSymbols(20_000, 0.15, 255, 7)
    for (let maxCodeLength = 1; maxCodeLength <= 15; maxCodeLength++) roundTrip(symbols, { maxCodeLength, blockSize: 5000 })
  })

  it('decodes into a caller-provided output', () => {
    const symbols = laplacianSymbols(50_000, 3, 127, 128, 8)
    const out = new Uint8Array(60_000)
    const decoded = decodeSymbols(encodeSymbols(symbols), out)
    expect(decoded.buffer).toBe(out.buffer)
    expect(decoded).toEqual(symbols)
  })

  it('refuses bad options and symbols outside the alphabet', () => {
    const symbols = new Uint8Array([1, 2, 3])
    for (const options of [{ maxCodeLength: 0 }, { maxCodeLength: 16 }, { blockSize: 0 }, { blockSize: 1.5 }, { alphabetSize: 257 }]) {
      expect(() => encodeSymbols(symbols, options)).toThrow(HuffmanError)
    }
    expect(() => encodeSymbols(symbols, { alphabetSize: 3 })).toThrow(expect.objectContaining({ problem: 'symbol-range' }))
    expect(() => decodeSymbols(encodeSymbols(symbols), new Uint8Array(2))).toThrow(expect.objectContaining({ problem: 'output-size' }))
    expect(() => decodeSymbols(encodeSymbols(symbols), new Uint16Array(3))).toThrow(expect.objectContaining({ problem: 'bad-option' }))
  })
})

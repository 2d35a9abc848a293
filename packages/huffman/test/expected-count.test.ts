import { describe, expect, it } from 'vitest'
import { ByteWriter, decodeSymbols, encodeSymbols, HuffmanError, MAX_BLOCK_SIZE } from '../src/index.js'
import { laplacianSymbols } from './synthetic.js'

/** A valid stream of run blocks only: 3 bytes per block of up to 2^24 symbols. */
function runStream(width: 1 | 2, count: number, symbol: number): Uint8Array {
  const out = new ByteWriter()
  for (const byte of [0x51, 0x48, 1, width]) out.byte(byte)
  out.varint(count)
  out.varint(MAX_BLOCK_SIZE)
  for (let b = 0; b < Math.ceil(count / MAX_BLOCK_SIZE); b++) {
    out.byte(1)
    out.varint(1)
    out.varint(symbol)
  }
  return out.result()
}

function refusal(run: () => unknown): HuffmanError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(HuffmanError)
    return error as HuffmanError
  }
  throw new Error('decode should have thrown')
}

describe('decodeSymbols with an expected count', () => {
  it('a run block legally expands 3 bytes to 2^24 symbols', () => {
    const stream = runStream(1, MAX_BLOCK_SIZE, 7)
    expect(stream.length).toBeLessThan(16)
    const decoded = decodeSymbols(stream, { expectedCount: MAX_BLOCK_SIZE, expectedWidth: 1 })
    expect(decoded.length).toBe(MAX_BLOCK_SIZE)
    expect(decoded[MAX_BLOCK_SIZE - 1]).toBe(7)
  })

  it('refuses a 400-byte stream declaring 2^31 - 1 16-bit symbols before allocating its 4 GiB', () => {
    const stream = runStream(2, 2 ** 31 - 1, 1)
    expect(stream.length).toBeLessThan(400)
    const before = process.memoryUsage().arrayBuffers
    const error = refusal(() => decodeSymbols(stream, { expectedCount: 4096 }))
    expect(error.problem).toBe('count-mismatch')
    expect(error.message).toMatch(/declares 2147483647 symbols, expected 4096/)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20)
  })

  it('decodes a stream whose count and width are the expected ones, with or without an output', () => {
    const symbols = laplacianSymbols(30_000, 3, 127, 128, 5)
    const stream = encodeSymbols(symbols)
    expect(decodeSymbols(stream, { expectedCount: symbols.length, expectedWidth: 1 })).toEqual(symbols)
    const out = new Uint8Array(40_000)
    const decoded = decodeSymbols(stream, { out, expectedCount: symbols.length })
    expect(decoded.buffer).toBe(out.buffer)
    expect(decoded).toEqual(symbols)
  })

  it('refuses one symbol more or less, and the other width', () => {
    const symbols = laplacianSymbols(1000, 2, 127, 128, 6)
    const stream = encodeSymbols(symbols)
    expect(refusal(() => decodeSymbols(stream, { expectedCount: 999 })).problem).toBe('count-mismatch')
    expect(refusal(() => decodeSymbols(stream, { expectedCount: 1001 })).problem).toBe('count-mismatch')
    const width = refusal(() => decodeSymbols(stream, { expectedCount: 1000, expectedWidth: 2 }))
    expect(width.problem).toBe('count-mismatch')
    expect(width.category).toBe('input')
  })
})

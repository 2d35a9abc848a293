import { encodeSymbols, MAX_BLOCK_SIZE } from '@qchain/huffman'
import { describe, expect, it } from 'vitest'
import { ChainError, decodeMatrix, decodePlain } from '../src/index.js'

const where = { level: '4', tensor: 't' }

/** The ChainError a decode must fail with; its message carries the Huffman decoder's reason. */
function refusal(run: () => unknown): ChainError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ChainError)
    return error as ChainError
  }
  throw new Error('decode should have thrown')
}

describe('chain codecs tell the Huffman decoder the count the index implies', () => {
  it('plain-bytes: a stream of another length is refused by the decoder', () => {
    const stream = encodeSymbols(Uint8Array.from({ length: 300 }, (_, i) => i % 7))
    expect(decodePlain('plain-bytes', [stream], 300, 300, where).length).toBe(300)
    expect(refusal(() => decodePlain('plain-bytes', [stream], 301, 301, where)).message).toMatch(/declares 300 symbols, expected 301/)
  })

  it('int8-alone: a codes stream declaring 2^24 symbols for a 4 x 8 matrix is refused before allocating', () => {
    const huge = encodeSymbols(new Uint8Array(MAX_BLOCK_SIZE))
    const scb = new Uint8Array(16)
    const before = process.memoryUsage().arrayBuffers
    const error = refusal(() => decodeMatrix('int8-alone', [huge, scb], undefined, { rows: 4, cols: 8 }, where))
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20)
    expect(error).toMatchObject({ problem: 'corrupt', message: expect.stringMatching(/declares 16777216 symbols, expected 32/) })
    const codes = encodeSymbols(Uint8Array.from({ length: 32 }, (_, i) => i))
    expect(decodeMatrix('int8-alone', [codes, scb], undefined, { rows: 4, cols: 8 }, where).kind).toBe('int8')
  })
})

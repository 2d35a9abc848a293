import { ByteWriter, HuffmanError, MAX_BLOCK_SIZE } from '@qchain/huffman'
import { describe, expect, it } from 'vitest'
import { ConditionalError, decodeAlone } from '../src/index.js'

/** A valid 8-bit Huffman stream of run blocks declaring `count` symbols: 3 bytes per 2^24. */
function runStream(count: number): Uint8Array {
  const out = new ByteWriter()
  for (const byte of [0x51, 0x48, 1, 1]) out.byte(byte)
  out.varint(count)
  out.varint(MAX_BLOCK_SIZE)
  for (let b = 0; b < Math.ceil(count / MAX_BLOCK_SIZE); b++) for (const byte of [1, 1, 0]) out.byte(byte)
  return out.result()
}

/** An fp16 alone stream for a 1 x `cols` matrix whose high-byte plane is `plane`. */
function aloneWithPlane(cols: number, plane: Uint8Array): Uint8Array {
  const out = new ByteWriter()
  for (const byte of [0x51, 0x41, 1, 1]) out.byte(byte)
  out.varint(1)
  out.varint(cols)
  out.varint(plane.length)
  out.append(plane)
  return out.result()
}

describe('decodeAlone passes the count its header implies to the Huffman decoder', () => {
  it('refuses a plane declaring 2^31 - 1 symbols for a 16-weight matrix without allocating them', () => {
    const bytes = aloneWithPlane(16, runStream(2 ** 31 - 1))
    const before = process.memoryUsage().arrayBuffers
    let caught: unknown
    try {
      decodeAlone(bytes)
    } catch (error) {
      caught = error
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20)
    expect(caught).toBeInstanceOf(ConditionalError)
    expect((caught as ConditionalError).cause).toBeInstanceOf(HuffmanError)
    expect(((caught as ConditionalError).cause as HuffmanError).problem).toBe('count-mismatch')
  })
})

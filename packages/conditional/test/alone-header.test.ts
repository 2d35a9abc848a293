import { describe, expect, it } from 'vitest'
import { ConditionalError, decodeAlone, encodeAlone, type QuantLevel } from '../src/index.js'

/** Replaces the one-byte rows varint (byte 4) of an alone stream with a longer varint. */
function withRows(stream: Uint8Array, varint: number[]): Uint8Array {
  return Uint8Array.from([...stream.subarray(0, 4), ...varint, ...stream.subarray(5)])
}

/** Array-buffer memory the work grew by, in bytes (measured before anything can collect it). */
function growth(work: () => void): number {
  const before = process.memoryUsage().arrayBuffers
  work()
  return process.memoryUsage().arrayBuffers - before
}

// Found by the fuzzer (test/fuzz): the output used to be allocated from the header's shape
// before the Huffman stream was read, so a header claiming 2^29 elements cost 512 MiB, and a
// standard g_idx of the header's cols was built first (2^26 columns: 256 MiB and 3 s).
describe('decodeAlone sizes its output by the streams, not by the header', () => {
  const ROWS_2_24_PLUS_1 = [0x81, 0x80, 0x80, 0x08]

  it('a 16-bit stream whose header claims 2^24 + 1 rows is refused without allocating for them', () => {
    const stream = encodeAlone({ rows: 2, cols: 32, format: 'f16', bits: new Uint16Array(64).fill(0x3c00) })
    const bytes = withRows(stream, ROWS_2_24_PLUS_1)
    expect(growth(() => expect(() => decodeAlone(bytes)).toThrow(ConditionalError))).toBeLessThan(64 * 2 ** 20)
  })

  it('a codes stream whose header claims 2^24 + 1 rows is refused without allocating for them', () => {
    const level: QuantLevel = { rows: 2, cols: 32, bits: 4, codes: new Uint8Array(64).fill(3), scales: new Uint16Array(2).fill(0x3c00), zeros: new Uint16Array(2).fill(8), gIdx: new Int32Array(32) }
    const bytes = withRows(encodeAlone(level), ROWS_2_24_PLUS_1)
    expect(growth(() => expect(() => decodeAlone(bytes)).toThrow(ConditionalError))).toBeLessThan(64 * 2 ** 20)
  })

  it('a codes stream whose header claims 2^26 columns is refused before a g_idx is built for them', () => {
    const level: QuantLevel = { rows: 4, cols: 32, bits: 4, codes: new Uint8Array(128).fill(3), scales: new Uint16Array(4).fill(0x3c00), zeros: new Uint16Array(4).fill(8), gIdx: new Int32Array(32) }
    const stream = encodeAlone(level)
    // The fuzzer's case: varint 2^26 inserted before the cols varint (byte 5).
    const bytes = Uint8Array.from([...stream.subarray(0, 5), 0x80, 0x80, 0x80, 0x20, ...stream.subarray(5)])
    const start = performance.now()
    expect(growth(() => expect(() => decodeAlone(bytes)).toThrow(ConditionalError))).toBeLessThan(64 * 2 ** 20)
    expect(performance.now() - start).toBeLessThan(500)
  })
})

import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeSymbols, encodeSymbols, entropyBits, histogram, sizeBreakdown } from '../src/index.js'
import { ISNET_PATH, loadIsnetInt8Codes } from './isnet-level.js'

const hasFixture = existsSync(ISNET_PATH)
if (!hasFixture) console.warn(`skipping the isnet test: fixture not found at ${ISNET_PATH}`)

describe('isnet-fp16 int8 rowwise level', () => {
  it.skipIf(!hasFixture)('round trips bit-exactly within 2% of the order-0 entropy plus tables', async () => {
    // The first 16M codes keep the test quick; the benchmark runs the whole level.
    const codes = await loadIsnetInt8Codes(16_000_000)
    const encoded = encodeSymbols(codes)
    const decoded = decodeSymbols(encoded)
    expect(Buffer.from(decoded.buffer, decoded.byteOffset, decoded.length).equals(Buffer.from(codes.buffer, codes.byteOffset, codes.length))).toBe(true)
    const entropyBytes = entropyBits(histogram(codes)) / 8
    const report = sizeBreakdown(encoded)
    console.log(
      `isnet int8: ${codes.length} codes -> ${encoded.length} bytes (${((8 * encoded.length) / codes.length).toFixed(4)} bits/code), ` +
        `entropy ${Math.ceil(entropyBytes)} bytes, tables ${report.tableBytes}, headers ${report.headerBytes}, ` +
        `payload / entropy ${(report.payloadBytes / entropyBytes).toFixed(4)}`,
    )
    expect(encoded.length).toBeLessThanOrEqual(entropyBytes * 1.02 + report.tableBytes)
  }, 30_000)
})

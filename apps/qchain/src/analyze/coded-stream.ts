import { decodeSymbols, encodeSymbols, entropyBits, histogram, sizeBreakdown } from '@qchain/huffman'
import { QchainError } from '@qchain/errors'

/** What one symbol stream costs: as written by our Huffman coder (everything counted) and its order-0 bound. */
export interface StreamCost {
  values: number
  /** Bytes written, tables and headers included. */
  bytes: number
  /** Of those, table and header bytes. */
  overheadBytes: number
  /** Order-0 empirical entropy of the symbols, in bits. */
  entropyBits: number
}

export const EMPTY_COST: StreamCost = { values: 0, bytes: 0, overheadBytes: 0, entropyBits: 0 }

/** Huffman-codes a stream, decodes it again and insists on a bit-exact round trip. */
export function codeStream(symbols: Uint8Array | Uint16Array, alphabetSize: number, what: string): StreamCost {
  const encoded = encodeSymbols(symbols, { alphabetSize })
  const decoded = decodeSymbols(encoded)
  if (decoded.length !== symbols.length || !decoded.every((value, index) => value === symbols[index])) {
    throw new QchainError('ANALYZE_ROUND_TRIP', 'the Huffman round trip did not give the same symbols back', { tensor: what }, 'verification')
  }
  const breakdown = sizeBreakdown(encoded)
  return {
    values: symbols.length,
    bytes: encoded.length,
    overheadBytes: encoded.length - breakdown.payloadBytes,
    entropyBits: entropyBits(histogram(symbols)),
  }
}

export function addCosts(a: StreamCost, b: StreamCost): StreamCost {
  return { values: a.values + b.values, bytes: a.bytes + b.bytes, overheadBytes: a.overheadBytes + b.overheadBytes, entropyBits: a.entropyBits + b.entropyBits }
}

/** ZipNN's split of 16-bit values: the high bytes (sign, exponent) and the low bytes, as two planes. */
export function bytePlanes(bits: Uint16Array): { high: Uint8Array; low: Uint8Array } {
  const high = new Uint8Array(bits.length)
  const low = new Uint8Array(bits.length)
  for (let i = 0; i < bits.length; i++) {
    const value = bits[i] as number
    high[i] = value >>> 8
    low[i] = value & 0xff
  }
  return { high, low }
}

/** The ZipNN method for 16-bit weights: high bytes and low bytes as two planes, each entropy-coded. */
export function bytePlaneCost(bits: Uint16Array, what: string): StreamCost {
  const { high, low } = bytePlanes(bits)
  const cost = addCosts(codeStream(high, 256, `${what} (high bytes)`), codeStream(low, 256, `${what} (low bytes)`))
  return { ...cost, values: bits.length }
}

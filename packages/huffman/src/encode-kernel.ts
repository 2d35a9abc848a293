import type { SymbolArray } from './format.js'

/**
 * Writes symbols[from..to) as one LSB-first bit stream into out at byteStart and returns the
 * end byte. `codeOf[s]` is (reversed code << 4) | length, or 0 for an escaped symbol, which
 * is written as `escapeCode` followed by `escapeBits` raw bits. The last byte is zero-padded.
 */
export function writeStream(symbols: SymbolArray, from: number, to: number, codeOf: Uint32Array, escapeCode: number, escapeBits: number, out: Uint8Array, byteStart: number): number {
  let p = byteStart
  let acc = 0
  let bits = 0
  for (let i = from; i < to; i++) {
    const symbol = symbols[i] as number
    const code = codeOf[symbol] as number
    let value = code >>> 4
    let length = code & 15
    if (code === 0) {
      // The escape code, then the symbol itself as the raw bits.
      acc |= (escapeCode >>> 4) << bits
      bits += escapeCode & 15
      if (bits >= 16) {
        out[p++] = acc
        out[p++] = acc >>> 8
        acc >>>= 16
        bits -= 16
      }
      value = symbol
      length = escapeBits
    }
    acc |= value << bits
    bits += length
    if (bits >= 16) {
      out[p++] = acc
      out[p++] = acc >>> 8
      acc >>>= 16
      bits -= 16
    }
  }
  for (; bits > 0; bits -= 8) {
    out[p++] = acc
    acc >>>= 8
  }
  return p
}

import type { SymbolArray } from './format.js'

/** Two codes of at most this many bits join at most 7 pending bits in one 32-bit accumulator. */
export const PAIR_MAX_BITS = 12

/**
 * Writes symbols[from..to) as one LSB-first bit stream into out at byteStart and returns the
 * end byte. `codeOf[s]` is (reversed code << 4) | length, or 0 for an escaped symbol, which
 * is written as `escapeCode` followed by `escapeBits` raw bits. The last byte is zero-padded.
 * `out` needs 4 bytes of room past the stream's end.
 */
export function writeStream(symbols: SymbolArray, from: number, to: number, codeOf: Uint32Array, longestCode: number, escapeCode: number, escapeBits: number, out: Uint8Array, byteStart: number): number {
  return escapeBits === 0 && longestCode <= PAIR_MAX_BITS ? writePairs(symbols, from, to, codeOf, out, byteStart) : writeWithEscapes(symbols, from, to, codeOf, escapeCode, escapeBits, out, byteStart)
}

/**
 * The common case, no escapes and short codes: two codes per step, then every whole byte is
 * written with one unconditional 32-bit store, so there is no data-dependent branch.
 */
function writePairs(symbols: SymbolArray, from: number, to: number, codeOf: Uint32Array, out: Uint8Array, byteStart: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  let p = byteStart
  let acc = 0
  let bits = 0
  let i = from
  for (; i + 1 < to; i += 2) {
    const a = codeOf[symbols[i] as number] as number
    const b = codeOf[symbols[i + 1] as number] as number
    acc |= (a >>> 4) << bits
    bits += a & 15
    acc |= (b >>> 4) << bits
    bits += b & 15
    view.setInt32(p, acc, true)
    const whole = bits >>> 3
    p += whole
    acc = acc >>> (whole << 3)
    bits &= 7
  }
  if (i < to) {
    const a = codeOf[symbols[i] as number] as number
    acc |= (a >>> 4) << bits
    bits += a & 15
  }
  for (; bits > 0; bits -= 8) {
    out[p++] = acc
    acc >>>= 8
  }
  return p
}

function writeWithEscapes(symbols: SymbolArray, from: number, to: number, codeOf: Uint32Array, escapeCode: number, escapeBits: number, out: Uint8Array, byteStart: number): number {
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

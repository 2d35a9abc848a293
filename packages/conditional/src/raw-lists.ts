// The raw lists that version 1 and the adaptive body keep apart from the symbols.
import type { ByteWriter } from '@qchain/huffman'

/** The escaped child integers after their count, two bytes each, little-endian; returns the bytes written. */
export function writeEscapeList(escaped: Uint16Array, out: ByteWriter): number {
  const start = out.length
  out.varint(escaped.length)
  const bytes = out.reserve(2 * escaped.length)
  for (const value of escaped) {
    bytes[out.length++] = value & 0xff
    bytes[out.length++] = value >>> 8
  }
  return out.length - start
}

/** The raw low bits after their byte length; returns the bytes written. */
export function writeLowBits(low: Uint8Array, out: ByteWriter): number {
  const start = out.length
  out.varint(low.length)
  out.append(low)
  return out.length - start
}

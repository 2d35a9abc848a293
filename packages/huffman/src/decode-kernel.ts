import { ESCAPE_VALUE, type DecodeTable } from './decode-table.js'
import { decodeFastPrefix } from './fast-decode.js'
import { HuffmanError } from './errors.js'
import { STREAM_COUNT, type SymbolArray } from './format.js'

/**
 * Decodes `count` symbols from the four bit streams src[bounds[k] .. bounds[k+1]) into
 * out[outStart ..]; stream k holds a contiguous quarter of the symbols (the last one also the
 * remainder). The fast kernel takes the bulk, the careful loop the tails (and whole blocks
 * with escapes). Each stream must end exactly at its last byte, padded with zero bits.
 */
export function decodeStreams(src: Uint8Array, bounds: Int32Array, table: DecodeTable, escapeBits: number, out: SymbolArray, outStart: number, count: number): void {
  const quarter = Math.floor(count / STREAM_COUNT)
  const positions = Int32Array.of(8 * (bounds[0] as number), 8 * (bounds[1] as number), 8 * (bounds[2] as number), 8 * (bounds[3] as number))
  const done = decodeFastPrefix(src, table, out, outStart, quarter, positions)
  for (let k = 0; k < STREAM_COUNT; k++) {
    const end = bounds[k + 1] as number
    const from = outStart + k * quarter
    const to = k === STREAM_COUNT - 1 ? outStart + count : from + quarter
    const pos = decodeSymbolBySymbol(src, positions[k] as number, end, table, escapeBits, out, from + done, to)
    checkStreamEnd(src, pos, end, k)
  }
}

/** One symbol at a time with bounds-checked peeks; handles escapes, 16-bit output and the tails. */
function decodeSymbolBySymbol(src: Uint8Array, pos: number, end: number, table: DecodeTable, escapeBits: number, out: SymbolArray, from: number, to: number): number {
  const entries = table.entries
  const mask = (1 << table.bits) - 1
  const escapeMask = (1 << escapeBits) - 1
  const endBit = 8 * end
  for (let o = from; o < to; o++) {
    const e = entries[peekSafe(src, pos, end) & mask] as number
    pos += e & 15
    let value = e >>> 4
    if (value === ESCAPE_VALUE) {
      value = peekSafe(src, pos, end) & escapeMask
      pos += escapeBits
    }
    if (pos > endBit) throw new HuffmanError('truncated', 'Huffman stream ends inside a code', { field: 'payload' })
    out[o] = value
  }
  return pos
}

function checkStreamEnd(src: Uint8Array, pos: number, end: number, stream: number): void {
  const usedBytes = (pos + 7) >>> 3
  if (usedBytes > end) throw new HuffmanError('truncated', `stream ${stream} ends inside a code`, { field: 'payload' })
  if (usedBytes < end) throw new HuffmanError('bad-payload', `stream ${stream} has ${end - usedBytes} unused bytes`, { field: 'payload' })
  if ((pos & 7) !== 0 && (src[end - 1] as number) >>> (pos & 7) !== 0) {
    throw new HuffmanError('bad-payload', `stream ${stream} padding bits are not zero`, { field: 'payload' })
  }
}

/** Bits from `pos` (LSB first), reading zeros at and past `end`; never touches bytes beyond it. */
function peekSafe(src: Uint8Array, pos: number, end: number): number {
  const byte = pos >>> 3
  let word = 0
  for (let i = 0; i < 4 && byte + i < end; i++) word |= (src[byte + i] as number) << (8 * i)
  return word >>> (pos & 7)
}

import { buildPairTable, ESCAPE_VALUE, type DecodeTable } from './decode-table.js'
import { HuffmanError } from './errors.js'
import { STREAM_COUNT, type SymbolArray } from './format.js'

/** Per fast-loop round and stream: two lookups of at most 12 bits. */
const FAST_TABLE_MAX_BITS = 12
const ROUND_MAX_BITS = 2 * FAST_TABLE_MAX_BITS
/** Below this many guaranteed-safe rounds the careful loop finishes the streams. */
const MIN_FAST_ROUNDS = 8

/**
 * Decodes `count` symbols from the four bit streams src[bounds[k] .. bounds[k+1]) into
 * out[outStart ..]; stream k holds a contiguous quarter of the symbols (the last one also the
 * remainder). Each stream must end exactly at its last byte, padded with zero bits.
 */
export function decodeStreams(src: Uint8Array, bounds: Int32Array, table: DecodeTable, escapeBits: number, out: SymbolArray, outStart: number, count: number): void {
  const quarter = Math.floor(count / STREAM_COUNT)
  const ends = Int32Array.of(outStart + quarter, outStart + 2 * quarter, outStart + 3 * quarter, outStart + count)
  const positions = Int32Array.of(8 * (bounds[0] as number), 8 * (bounds[1] as number), 8 * (bounds[2] as number), 8 * (bounds[3] as number))
  const outs = Int32Array.of(outStart, ends[0] as number, ends[1] as number, ends[2] as number)
  if (!table.hasEscape && table.bits <= FAST_TABLE_MAX_BITS) {
    const pairs = out instanceof Uint8Array ? buildPairTable(table) : undefined
    if (pairs && out instanceof Uint8Array) decodePairsInterleaved(src, pairs, table.bits, out, positions, outs, ends)
    else decodeSinglesInterleaved(src, table.entries, table.bits, out, positions, outs, ends)
  }
  for (let k = 0; k < STREAM_COUNT; k++) {
    const end = bounds[k + 1] as number
    const pos = decodeSymbolBySymbol(src, positions[k] as number, end, table, escapeBits, out, outs[k] as number, ends[k] as number)
    checkStreamEnd(src, pos, end, k)
  }
}

/**
 * The hot loops: per stream, one 32-bit peek (at least 25 valid bits) feeds two lookups of at
 * most 12 bits; four streams side by side so their dependency chains overlap. They run in
 * stretches of rounds that provably stay inside `src` and each stream's output range, so the
 * inner loop has no checks; a lying stream just decodes garbage that the end checks refuse.
 * The last few symbols of each stream are left to the careful loop.
 */
function decodeSinglesInterleaved(src: Uint8Array, entries: Uint32Array, bits: number, out: SymbolArray, positions: Int32Array, outs: Int32Array, ends: Int32Array): void {
  const mask = (1 << bits) - 1
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength)
  const lastPeekBit = 8 * (src.length - 4)
  let p0 = positions[0] as number, p1 = positions[1] as number, p2 = positions[2] as number, p3 = positions[3] as number
  let o0 = outs[0] as number, o1 = outs[1] as number, o2 = outs[2] as number, o3 = outs[3] as number
  for (;;) {
    const rounds = Math.min(
      safeRounds(p0, lastPeekBit, o0, ends[0] as number, 2),
      safeRounds(p1, lastPeekBit, o1, ends[1] as number, 2),
      safeRounds(p2, lastPeekBit, o2, ends[2] as number, 2),
      safeRounds(p3, lastPeekBit, o3, ends[3] as number, 2),
    )
    if (rounds < MIN_FAST_ROUNDS) break
    for (let r = 0; r < rounds; r++) {
      let w = view.getUint32(p0 >>> 3, true) >>> (p0 & 7)
      let e = entries[w & mask] as number
      let f = entries[(w >>> (e & 15)) & mask] as number
      out[o0] = e >>> 4
      out[o0 + 1] = f >>> 4
      p0 += (e & 15) + (f & 15)
      o0 += 2

      w = view.getUint32(p1 >>> 3, true) >>> (p1 & 7)
      e = entries[w & mask] as number
      f = entries[(w >>> (e & 15)) & mask] as number
      out[o1] = e >>> 4
      out[o1 + 1] = f >>> 4
      p1 += (e & 15) + (f & 15)
      o1 += 2

      w = view.getUint32(p2 >>> 3, true) >>> (p2 & 7)
      e = entries[w & mask] as number
      f = entries[(w >>> (e & 15)) & mask] as number
      out[o2] = e >>> 4
      out[o2 + 1] = f >>> 4
      p2 += (e & 15) + (f & 15)
      o2 += 2

      w = view.getUint32(p3 >>> 3, true) >>> (p3 & 7)
      e = entries[w & mask] as number
      f = entries[(w >>> (e & 15)) & mask] as number
      out[o3] = e >>> 4
      out[o3 + 1] = f >>> 4
      p3 += (e & 15) + (f & 15)
      o3 += 2
    }
  }
  positions.set([p0, p1, p2, p3])
  outs.set([o0, o1, o2, o3])
}

/** Like decodeSinglesInterleaved, but each lookup yields one or two 8-bit symbols (see buildPairTable). */
function decodePairsInterleaved(src: Uint8Array, pairs: Uint32Array, bits: number, out: Uint8Array, positions: Int32Array, outs: Int32Array, ends: Int32Array): void {
  const mask = (1 << bits) - 1
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength)
  const lastPeekBit = 8 * (src.length - 4)
  let p0 = positions[0] as number, p1 = positions[1] as number, p2 = positions[2] as number, p3 = positions[3] as number
  let o0 = outs[0] as number, o1 = outs[1] as number, o2 = outs[2] as number, o3 = outs[3] as number
  for (;;) {
    const rounds = Math.min(
      safeRounds(p0, lastPeekBit, o0, ends[0] as number, 4),
      safeRounds(p1, lastPeekBit, o1, ends[1] as number, 4),
      safeRounds(p2, lastPeekBit, o2, ends[2] as number, 4),
      safeRounds(p3, lastPeekBit, o3, ends[3] as number, 4),
    )
    if (rounds < MIN_FAST_ROUNDS) break
    for (let r = 0; r < rounds; r++) {
      let w = view.getUint32(p0 >>> 3, true) >>> (p0 & 7)
      let e = pairs[w & mask] as number
      let f = pairs[(w >>> ((e >>> 16) & 15)) & mask] as number
      out[o0] = e
      out[o0 + 1] = e >>> 8
      o0 += e >>> 20
      out[o0] = f
      out[o0 + 1] = f >>> 8
      o0 += f >>> 20
      p0 += ((e >>> 16) & 15) + ((f >>> 16) & 15)

      w = view.getUint32(p1 >>> 3, true) >>> (p1 & 7)
      e = pairs[w & mask] as number
      f = pairs[(w >>> ((e >>> 16) & 15)) & mask] as number
      out[o1] = e
      out[o1 + 1] = e >>> 8
      o1 += e >>> 20
      out[o1] = f
      out[o1 + 1] = f >>> 8
      o1 += f >>> 20
      p1 += ((e >>> 16) & 15) + ((f >>> 16) & 15)

      w = view.getUint32(p2 >>> 3, true) >>> (p2 & 7)
      e = pairs[w & mask] as number
      f = pairs[(w >>> ((e >>> 16) & 15)) & mask] as number
      out[o2] = e
      out[o2 + 1] = e >>> 8
      o2 += e >>> 20
      out[o2] = f
      out[o2 + 1] = f >>> 8
      o2 += f >>> 20
      p2 += ((e >>> 16) & 15) + ((f >>> 16) & 15)

      w = view.getUint32(p3 >>> 3, true) >>> (p3 & 7)
      e = pairs[w & mask] as number
      f = pairs[(w >>> ((e >>> 16) & 15)) & mask] as number
      out[o3] = e
      out[o3 + 1] = e >>> 8
      o3 += e >>> 20
      out[o3] = f
      out[o3 + 1] = f >>> 8
      o3 += f >>> 20
      p3 += ((e >>> 16) & 15) + ((f >>> 16) & 15)
    }
  }
  positions.set([p0, p1, p2, p3])
  outs.set([o0, o1, o2, o3])
}

/**
 * Rounds one stream can run with every peek inside the buffer and every write (up to
 * `maxSymbols` per round) before `outEnd`.
 */
function safeRounds(pos: number, lastPeekBit: number, out: number, outEnd: number, maxSymbols: number): number {
  if (pos > lastPeekBit) return 0
  return Math.min(Math.floor((lastPeekBit - pos) / ROUND_MAX_BITS) + 1, Math.floor((outEnd - out) / maxSymbols))
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

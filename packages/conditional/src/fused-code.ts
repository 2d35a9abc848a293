import { buildCodeLengths, ByteReader, canonicalCodes, checkCompleteCode, entropyBits, HuffmanError, readTable, writeTable, type ByteWriter } from '@qchain/huffman'
import { ConditionalError } from './errors.js'
import type { Reader } from './reader.js'
import { ALPHABET, ESCAPE } from './table-plan.js'

/**
 * Bit streams per slab: element e of a slab (row-major) goes to stream e mod LANES, so a
 * decoder follows LANES independent bit positions instead of one serial chain.
 */
export const LANES = 4
/** Longest code of a version 2 static table: the decoder peeks this many bits, one lookup. */
export const STATIC_CODE_LIMIT = 11
/** Entries of one table's decode lookup. */
export const PEEK_ENTRIES = 1 << STATIC_CODE_LIMIT
/** A decode entry's flag bit for the escape symbol. Bits 0..3 hold the code length (at most 11), so a 32-bit shift by the entry's low byte drops the code alone. */
export const ESCAPE_FLAG = 64
/** Entries of contexts the stream says are unused: an escape whose high part (-128, no symbol's) puts the value beyond every child type, so it is refused. */
const UNUSED_ENTRY = (-128 << 8) | ESCAPE_FLAG
/** The bit an unused entry adds to an escaped value: (entry >> 8) & UNUSED_VALUE_BIT. */
export const UNUSED_VALUE_BIT = 0x10000

/**
 * One table's static code over symbols 0..255: `lengths` as described in the stream (a table
 * with a single used symbol lists it with length 1), `spent` the bits each symbol really costs
 * (0 for that single symbol), `codes` LSB-first.
 */
export interface StaticCode {
  lengths: Uint8Array
  spent: Uint8Array
  codes: Uint32Array
}

export function staticCode(counts: Uint32Array): StaticCode {
  const lengths = buildCodeLengths(counts, STATIC_CODE_LIMIT)
  return codeOf(lengths)
}

/**
 * Estimated bits of a table's symbols under its static code plus its description (planTables'
 * cost): the entropy, but at least a bit per symbol unless one symbol is used (0 bits), and a
 * nibble per listed symbol.
 */
export function staticTableBits(counts: Uint32Array): number {
  let total = 0
  let used = 0
  let span = 0
  for (let s = 0; s < ALPHABET; s++) {
    const count = counts[s] as number
    if (count === 0) continue
    total += count
    used++
    span = s + 1
  }
  const payload = used === 1 ? 0 : Math.max(total, entropyBits(counts))
  return payload + 8 * (2 + Math.ceil(span / 2))
}

/** @qchain/huffman's table description (docs/huffman.md) of symbols 0..span-1, without an escape code. */
export function writeStaticCode(code: StaticCode, out: ByteWriter): void {
  let span = 0
  for (let s = 0; s < ALPHABET; s++) if (code.lengths[s]) span = s + 1
  const lengths = new Uint8Array(span + 1)
  lengths.set(code.lengths.subarray(0, span))
  writeTable({ lengths, escapeBits: 0 }, out)
}

/** Reads a description written by writeStaticCode, refusing escapes, empty or incomplete codes and lengths above STATIC_CODE_LIMIT. */
export function readStaticCode(reader: Reader, field: string): StaticCode {
  const input = new ByteReader(reader.bytes, reader.pos, reader.end)
  try {
    const table = readTable(input, 1)
    reader.pos = input.pos
    if (table.escapeBits !== 0) throw new ConditionalError('bad-table', 'a static table has no escape code', { field })
    const lengths = new Uint8Array(ALPHABET)
    lengths.set(table.lengths.subarray(0, table.lengths.length - 1))
    let used = 0
    let longest = 0
    for (let s = 0; s < ALPHABET; s++) {
      const length = lengths[s] as number
      if (length) used++
      if (length > longest) longest = length
    }
    if (used === 0) throw new ConditionalError('bad-table', 'a table codes no symbol', { field })
    if (used === 1 && longest > 1) throw new ConditionalError('bad-table', 'a single-symbol table lists it with length 1', { field })
    if (used > 1) checkCompleteCode(lengths, STATIC_CODE_LIMIT)
    return codeOf(lengths)
  } catch (error) {
    if (!(error instanceof HuffmanError)) throw error
    throw new ConditionalError(error.problem === 'truncated' ? 'truncated' : 'bad-table', `code table refused: ${error.message}`, { field }, { cause: error })
  }
}

function codeOf(lengths: Uint8Array): StaticCode {
  let used = 0
  for (let s = 0; s < ALPHABET; s++) if (lengths[s]) used++
  const spent = used === 1 ? new Uint8Array(ALPHABET) : lengths
  return { lengths, spent, codes: used === 1 ? new Uint32Array(ALPHABET) : canonicalCodes(lengths) }
}

/**
 * The decode lookup of `code` into entries[at..at + PEEK_ENTRIES), indexed by the next 11
 * stream bits: (unzigzagged symbol << 8) | code length, or ESCAPE_FLAG | code length for the
 * escape; 16 bits, so a table takes 4 KB of cache, and the kernel loads either byte alone.
 * Every slot is written (complete codes, or the 0-bit single symbol): a code of length L
 * owns every 2^L-th slot from its own, so the first 2^L slots are built by length, each
 * length doubling the shorter codes' slots (a memmove) and adding its own codes.
 */
export function fillDecodeEntries(code: StaticCode, entries: Int16Array, at: number): void {
  const byLength: number[][] = Array.from({ length: STATIC_CODE_LIMIT + 1 }, () => [])
  for (let s = 0; s < ALPHABET; s++) if (code.lengths[s]) byLength[code.spent[s] as number]!.push(s)
  for (let length = 0, filled = 1; length <= STATIC_CODE_LIMIT; length++, filled *= 2) {
    if (length > 0) entries.copyWithin(at + filled / 2, at, at + filled / 2)
    for (const s of byLength[length]!) entries[at + (code.codes[s] as number)] = s === ESCAPE ? ESCAPE_FLAG | length : (((s >>> 1) ^ -(s & 1)) << 8) | length
  }
}

/** The lookup of contexts the stream says are unused (their entries carry table number = table count). */
export function fillUnusedEntries(entries: Int16Array, at: number): void {
  entries.fill(UNUSED_ENTRY, at, at + PEEK_ENTRIES)
}

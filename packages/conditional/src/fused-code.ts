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
/** Table numbers a row entry can carry (6 bits, where the context id was). */
export const TABLE_NUMBERS = 64
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

/** What a decoder needs of a static code: its lengths as described and the bits each symbol costs (see StaticCode). */
export type StaticLengths = Pick<StaticCode, 'lengths' | 'spent'>

/** Reads a description written by writeStaticCode, refusing escapes, empty or incomplete codes and lengths above STATIC_CODE_LIMIT. */
export function readStaticCode(reader: Reader, field: string): StaticLengths {
  const input = new ByteReader(reader.bytes, reader.pos, reader.end)
  try {
    const table = readTable(input, 1)
    reader.pos = input.pos
    if (table.escapeBits !== 0) throw new ConditionalError('bad-table', 'a static table has no escape code', { field })
    // copied by hand: subarray() costs more than a table's whole loop
    const lengths = new Uint8Array(ALPHABET)
    let used = 0
    let longest = 0
    for (let s = 0; s < table.lengths.length - 1; s++) {
      const length = table.lengths[s] as number
      lengths[s] = length
      if (length) used++
      if (length > longest) longest = length
    }
    if (used === 0) throw new ConditionalError('bad-table', 'a table codes no symbol', { field })
    if (used === 1 && longest > 1) throw new ConditionalError('bad-table', 'a single-symbol table lists it with length 1', { field })
    if (used > 1) checkCompleteCode(lengths, STATIC_CODE_LIMIT)
    // the decoder assigns the canonical codes itself (fillDecodeEntries)
    return { lengths, spent: used === 1 ? new Uint8Array(ALPHABET) : lengths }
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

/** c's STATIC_CODE_LIMIT low bits reversed: a code of length L, reversed, is REVERSED[c] >>> (STATIC_CODE_LIMIT - L). */
const REVERSED = Uint16Array.from({ length: PEEK_ENTRIES }, (_, c) => {
  let reversed = 0
  for (let i = 0; i < STATIC_CODE_LIMIT; i++) reversed |= ((c >>> i) & 1) << (STATIC_CODE_LIMIT - 1 - i)
  return reversed
})
/** Scratch of fillDecodeEntries, kept to spare allocations: per spent length, where its symbols start in `bySpent`. */
const perLength = new Int32Array(STATIC_CODE_LIMIT + 2)
/** Scratch of fillDecodeEntries: the used symbols, by spent length, in index order within a length (canonical order). */
const bySpent = new Uint8Array(ALPHABET)

/**
 * The decode lookup of `code` into entries[at..at + PEEK_ENTRIES), indexed by the next 11
 * stream bits: (unzigzagged symbol << 8) | code length, or ESCAPE_FLAG | code length for the
 * escape; 16 bits, so a table takes 4 KB of cache, and the kernel loads either byte alone.
 * Every slot is written (complete codes, or the 0-bit single symbol): a code of length L
 * owns every 2^L-th slot from its own, so the first 2^L slots are built by length, each
 * length doubling the shorter codes' slots (a memmove) and adding its own codes. The codes
 * are canonicalCodes' (a single symbol's 0-bit code is 0), assigned here from the symbols
 * sorted by length.
 */
export function fillDecodeEntries({ lengths, spent }: StaticLengths, entries: Int16Array, at: number): void {
  perLength.fill(0)
  for (let s = 0; s < ALPHABET; s++) if (lengths[s]) (perLength[(spent[s] as number) + 1] as number)++
  for (let length = 1; length <= STATIC_CODE_LIMIT + 1; length++) perLength[length] = (perLength[length] as number) + (perLength[length - 1] as number)
  // perLength[L] is now where length L's symbols start; filling advances it to length L + 1's start
  for (let s = 0; s < ALPHABET; s++) if (lengths[s]) bySpent[perLength[spent[s] as number]!++] = s
  let i = 0
  for (let length = 0, filled = 1, code = 0; length <= STATIC_CODE_LIMIT; length++, filled *= 2, code <<= 1) {
    if (length > 0) entries.copyWithin(at + filled / 2, at, at + filled / 2)
    for (; i < (perLength[length] as number); i++, code++) {
      const s = bySpent[i] as number
      entries[at + ((REVERSED[code] as number) >>> (STATIC_CODE_LIMIT - length))] = s === ESCAPE ? ESCAPE_FLAG | length : (((s >>> 1) ^ -(s & 1)) << 8) | length
    }
  }
}

/** The lookup of contexts the stream says are unused (their entries carry table number = table count). */
export function fillUnusedEntries(entries: Int16Array, at: number): void {
  entries.fill(UNUSED_ENTRY, at, at + PEEK_ENTRIES)
}

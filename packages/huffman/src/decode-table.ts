import { canonicalCodes, checkCompleteCode } from './canonical.js'
import type { CodeTable } from './table-format.js'

/** Decoded value of the escape code; above every real symbol. */
export const ESCAPE_VALUE = 0x10000

export interface DecodeTable {
  /** Indexed by the next `bits` stream bits: (value << 4) | code length. */
  entries: Uint32Array
  bits: number
  hasEscape: boolean
}

/** Validates the code (complete, no length above maxLength) and builds its lookup table. */
export function buildDecodeTable(table: CodeTable, maxLength?: number): DecodeTable {
  const { lengths } = table
  const bits = checkCompleteCode(lengths, maxLength)
  const codes = canonicalCodes(lengths)
  const entries = new Uint32Array(1 << bits)
  const escapeIndex = lengths.length - 1
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number
    if (length === 0) continue
    const entry = ((i === escapeIndex ? ESCAPE_VALUE : i) << 4) | length
    for (let slot = codes[i] as number; slot < entries.length; slot += 1 << length) entries[slot] = entry
  }
  return { entries, bits, hasEscape: table.escapeBits > 0 }
}

/** Below this share of two-symbol lookups the plain table decodes faster (measured). */
const MIN_PAIR_SHARE = 0.5

/**
 * For 8-bit symbols without escape: each entry decodes as many as two codes that fit in the
 * table's bits: first | second << 8 | total length << 16 | symbol count << 20. Undefined when
 * too few lookups would yield two symbols to pay for the extra stores.
 */
export function buildPairTable(table: DecodeTable): Uint32Array | undefined {
  const { entries, bits } = table
  const mask = (1 << bits) - 1
  const pairs = new Uint32Array(entries.length)
  let pairCount = 0
  for (let index = 0; index < entries.length; index++) {
    const first = entries[index] as number
    const firstLength = first & 15
    // The bits after the first code are only partly known; a second code counts only if
    // its length fits in them, and a prefix code's length is set by its own bits.
    const second = entries[(index >>> firstLength) & mask] as number
    const secondLength = second & 15
    if (secondLength <= bits - firstLength) {
      pairs[index] = (first >>> 4) | ((second >>> 4) << 8) | ((firstLength + secondLength) << 16) | (2 << 20)
      pairCount++
    } else {
      pairs[index] = (first >>> 4) | (firstLength << 16) | (1 << 20)
    }
  }
  return pairCount >= MIN_PAIR_SHARE * entries.length ? pairs : undefined
}

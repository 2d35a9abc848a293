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

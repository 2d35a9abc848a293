import type { ByteReader } from './byte-reader.js'
import type { ByteWriter } from './byte-writer.js'
import { HuffmanError } from './errors.js'

/**
 * The code of one Huffman block: `lengths[i]` for symbol i < symbolCount, and the escape
 * code's length last (0 when the block has no escape). Escaped symbols follow their escape
 * code as `escapeBits` raw bits.
 */
export interface CodeTable {
  lengths: Uint8Array
  escapeBits: number
}

/** Longest zero run a nibble varint may spell: 6 nibbles of 3 bits. */
const MAX_RUN_NIBBLES = 6

/**
 * Writes varint(symbolCount), byte(escapeBits), then the lengths as 4-bit tokens, low nibble
 * first: 1..15 is a length, 0 starts a zero run whose length-1 follows as a nibble varint
 * (3 value bits, bit 3 = more). An odd token count is padded with a zero nibble.
 */
export function writeTable(table: CodeTable, out: ByteWriter): void {
  const { lengths, escapeBits } = table
  out.varint(lengths.length - 1)
  out.byte(escapeBits)
  const nibbles: number[] = []
  const entries = escapeBits > 0 ? lengths.length : lengths.length - 1
  for (let i = 0; i < entries; ) {
    const length = lengths[i] as number
    if (length !== 0) {
      nibbles.push(length)
      i++
      continue
    }
    let run = 1
    while (i + run < entries && lengths[i + run] === 0) run++
    nibbles.push(0)
    for (let rest = run - 1; ; rest >>>= 3) {
      nibbles.push((rest & 7) | (rest > 7 ? 8 : 0))
      if (rest <= 7) break
    }
    i += run
  }
  if (nibbles.length & 1) nibbles.push(0)
  for (let i = 0; i < nibbles.length; i += 2) out.byte((nibbles[i] as number) | ((nibbles[i + 1] as number) << 4))
}

/** Reads a table written by writeTable, refusing anything a valid encoder could not produce. */
export function readTable(input: ByteReader, symbolWidth: 1 | 2): CodeTable {
  const symbolCount = input.boundedVarint('table symbol count', 1 << (8 * symbolWidth), 'bad-table')
  const escapeBits = input.byte('table escape bits')
  if (escapeBits > 8 * symbolWidth) throw new HuffmanError('bad-table', `escape of ${escapeBits} bits for ${8 * symbolWidth}-bit symbols`, { field: 'table' })
  const lengths = new Uint8Array(symbolCount + 1)
  const entries = escapeBits > 0 ? symbolCount + 1 : symbolCount
  // Each token consumes input, so a lying table runs out of bytes instead of looping.
  const nibbles = new NibbleReader(input)
  for (let i = 0; i < entries; ) {
    const token = nibbles.next()
    if (token !== 0) {
      lengths[i++] = token
      continue
    }
    let run = 0
    for (let shift = 0, more = true; more; shift += 3) {
      if (shift >= 3 * MAX_RUN_NIBBLES) throw new HuffmanError('bad-table', 'zero run too long', { field: 'table' })
      const nibble = nibbles.next()
      run += (nibble & 7) * 2 ** shift
      more = nibble >= 8
    }
    run += 1
    if (run > entries - i) throw new HuffmanError('bad-table', `zero run of ${run} passes the table end`, { field: 'table' })
    i += run
  }
  if (nibbles.finish() !== 0) throw new HuffmanError('bad-table', 'table padding nibble is not zero', { field: 'table' })
  if (escapeBits > 0 && lengths[symbolCount] === 0) throw new HuffmanError('bad-table', 'escape bits given but the escape code is unused', { field: 'table' })
  return { lengths, escapeBits }
}

class NibbleReader {
  private held = -1

  constructor(private readonly input: ByteReader) {}

  next(): number {
    if (this.held >= 0) {
      const nibble = this.held
      this.held = -1
      return nibble
    }
    const byte = this.input.byte('table')
    this.held = byte >>> 4
    return byte & 15
  }

  /** The unused high nibble of the last byte, or 0 when the tokens ended on a byte boundary. */
  finish(): number {
    return Math.max(0, this.held)
  }
}

import { HuffmanError } from './errors.js'
import { MAX_CODE_LENGTH_LIMIT } from './format.js'

/**
 * Canonical codes for the given lengths (shorter first, then by index), bit-reversed because
 * streams are written least-significant bit first. Unused codes (length 0) get 0.
 */
export function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const perLength = new Uint32Array(MAX_CODE_LENGTH_LIMIT + 2)
  for (let i = 0; i < lengths.length; i++) (perLength[lengths[i] as number] as number)++
  perLength[0] = 0
  const next = new Uint32Array(MAX_CODE_LENGTH_LIMIT + 2)
  let code = 0
  for (let length = 1; length <= MAX_CODE_LENGTH_LIMIT; length++) {
    code = (code + (perLength[length - 1] as number)) << 1
    next[length] = code
  }
  const codes = new Uint32Array(lengths.length)
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number
    if (length === 0) continue
    const value = (next[length] as number)
    next[length] = value + 1
    codes[i] = reverseBits(value, length)
  }
  return codes
}

/** Each byte with its bit order reversed. */
const REVERSED_BYTES = Uint8Array.from({ length: 256 }, (_, byte) => {
  let reversed = 0
  for (let i = 0; i < 8; i++) reversed |= ((byte >>> i) & 1) << (7 - i)
  return reversed
})

/** The low `width` (<= 16) bits of `value` in reverse order. */
export function reverseBits(value: number, width: number): number {
  return (((REVERSED_BYTES[value & 255] as number) << 8) | (REVERSED_BYTES[(value >>> 8) & 255] as number)) >>> (16 - width)
}

/**
 * Checks that the lengths form a complete prefix code of at least two codes (Kraft sum
 * exactly 1) with no length above `maxLength`; returns the longest length used.
 */
export function checkCompleteCode(lengths: Uint8Array, maxLength = MAX_CODE_LENGTH_LIMIT): number {
  // Integer Kraft sum in units of 2^-15; at most 2^16 codes of weight <= 2^14 cannot overflow.
  let kraft = 0
  let longest = 0
  let used = 0
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number
    if (length === 0) continue
    if (length > maxLength) throw new HuffmanError('bad-table', `code length ${length} exceeds ${maxLength}`, { field: 'table' })
    kraft += 1 << (MAX_CODE_LENGTH_LIMIT - length)
    if (length > longest) longest = length
    used++
  }
  if (used < 2) throw new HuffmanError('bad-table', `a Huffman table needs at least two codes, found ${used}`, { field: 'table' })
  if (kraft !== 1 << MAX_CODE_LENGTH_LIMIT) {
    const state = kraft > 1 << MAX_CODE_LENGTH_LIMIT ? 'over-subscribed' : 'incomplete'
    throw new HuffmanError('kraft', `code lengths are ${state} (Kraft sum ${kraft / 2 ** MAX_CODE_LENGTH_LIMIT})`, { field: 'table' })
  }
  return longest
}

import { decodeBlock } from './block-decode.js'
import { HuffmanError } from './errors.js'
import type { SymbolArray } from './format.js'
import { readStreamIndex } from './stream-index.js'

/**
 * Decodes a whole stream. With `out` (a Uint8Array for 8-bit streams, Uint16Array for 16-bit,
 * at least as long as the stream) nothing is allocated for the symbols; the result is then
 * the prefix of `out` that was written.
 */
export function decodeSymbols(bytes: Uint8Array, out?: SymbolArray): SymbolArray {
  const index = readStreamIndex(bytes)
  const target = out ?? (index.symbolWidth === 2 ? new Uint16Array(index.symbolCount) : new Uint8Array(index.symbolCount))
  if (target.length < index.symbolCount) throw new HuffmanError('output-size', `stream holds ${index.symbolCount} symbols, output has room for ${target.length}`)
  for (const block of index.blocks) decodeBlock(bytes, block, index.symbolWidth, target)
  return target.length === index.symbolCount ? target : target.subarray(0, index.symbolCount)
}

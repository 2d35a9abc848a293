import { decodeBlock } from './block-decode.js'
import { HuffmanError } from './errors.js'
import type { SymbolArray } from './format.js'
import { readStreamIndex } from './stream-index.js'

export interface DecodeOptions {
  /** Where to write the symbols (see below). */
  out?: SymbolArray
  /** The symbol count the caller knows the stream must hold; any other is refused before allocating. */
  expectedCount?: number
  /** The symbol width (1 or 2 bytes) the caller knows the stream must have. */
  expectedWidth?: 1 | 2
}

/**
 * Decodes a whole stream. With `out` (a Uint8Array for 8-bit streams, Uint16Array for 16-bit,
 * at least as long as the stream) nothing is allocated for the symbols; the result is then
 * the prefix of `out` that was written. Callers that know the count should pass
 * `expectedCount`: a valid stream of a few hundred bytes may declare 2^31 symbols.
 */
export function decodeSymbols(bytes: Uint8Array, outOrOptions?: SymbolArray | DecodeOptions): SymbolArray {
  const options: DecodeOptions = outOrOptions === undefined || ArrayBuffer.isView(outOrOptions) ? { out: outOrOptions } : outOrOptions
  const out = options.out
  const index = readStreamIndex(bytes, {
    ...(options.expectedCount !== undefined && { count: options.expectedCount }),
    ...(options.expectedWidth !== undefined && { width: options.expectedWidth }),
  })
  const target = out ?? (index.symbolWidth === 2 ? new Uint16Array(index.symbolCount) : new Uint8Array(index.symbolCount))
  if (target.length < index.symbolCount) throw new HuffmanError('output-size', `stream holds ${index.symbolCount} symbols, output has room for ${target.length}`)
  for (const block of index.blocks) decodeBlock(bytes, block, index.symbolWidth, target)
  return target.length === index.symbolCount ? target : target.subarray(0, index.symbolCount)
}

import { decodeBlock } from './block-decode.js'
import { HuffmanError } from './errors.js'
import type { SymbolArray } from './format.js'
import { readStreamIndex, type ExpectedStream } from './stream-index.js'

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
  const index = readStreamIndex(bytes, expectation(options))
  const target = out ?? (index.symbolWidth === 2 ? new Uint16Array(index.symbolCount) : new Uint8Array(index.symbolCount))
  if (target.length < index.symbolCount) throw new HuffmanError('output-size', `stream holds ${index.symbolCount} symbols, output has room for ${target.length}`)
  for (const block of index.blocks) decodeBlock(bytes, block, index.symbolWidth, target)
  return target.length === index.symbolCount ? target : target.subarray(0, index.symbolCount)
}

/**
 * Decodes symbols from..to-1 of a stream, reading only the blocks that hold them (a worker's
 * share of one stream). Blocks outside the range are located but not decoded or checked.
 * With `out` (of the stream's width, at least to - from long) nothing is allocated for the
 * symbols but a block cut by the range; the result is then the prefix of `out` written.
 */
export function decodeSymbolRange(bytes: Uint8Array, from: number, to: number, options: DecodeOptions = {}): SymbolArray {
  const index = readStreamIndex(bytes, expectation(options))
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from <= to && to <= index.symbolCount)) {
    throw new HuffmanError('bad-option', `symbols ${from}..${to} are not a range of the stream's ${index.symbolCount}`, { field: 'range' })
  }
  const make = (length: number) => (index.symbolWidth === 2 ? new Uint16Array(length) : new Uint8Array(length))
  if (options.out && (options.out.BYTES_PER_ELEMENT !== index.symbolWidth || options.out.length < to - from)) {
    throw new HuffmanError('output-size', `${to - from} ${8 * index.symbolWidth}-bit symbols do not fit the output given`, { field: 'out' })
  }
  const out = !options.out ? make(to - from) : options.out.length === to - from ? options.out : options.out.subarray(0, to - from)
  let scratch: SymbolArray | undefined
  for (const block of index.blocks) {
    const start = block.symbolStart
    const end = start + block.symbolCount
    if (end <= from || start >= to) continue
    if (start >= from && end <= to) {
      decodeBlock(bytes, { ...block, symbolStart: start - from }, index.symbolWidth, out)
      continue
    }
    // a block cut by the range: decoded whole on the side, its share copied
    scratch ??= make(index.blockSize)
    decodeBlock(bytes, { ...block, symbolStart: 0 }, index.symbolWidth, scratch)
    const first = Math.max(from, start)
    out.set(scratch.subarray(first - start, Math.min(to, end) - start), first - from)
  }
  return out
}

function expectation(options: DecodeOptions): ExpectedStream {
  return {
    ...(options.expectedCount !== undefined && { count: options.expectedCount }),
    ...(options.expectedWidth !== undefined && { width: options.expectedWidth }),
  }
}

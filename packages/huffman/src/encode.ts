import { encodeBlock } from './block-encode.js'
import { ByteWriter } from './byte-writer.js'
import { HuffmanError } from './errors.js'
import { DEFAULT_BLOCK_SIZE, DEFAULT_MAX_CODE_LENGTH, MAX_BLOCK_SIZE, MAX_CODE_LENGTH_LIMIT, MAX_SYMBOLS, symbolWidth, type SymbolArray } from './format.js'
import { writeStreamHeader } from './stream-index.js'

export interface EncodeOptions {
  /** Symbols must be below this; defaults to the whole range of the array type (256 or 65536). */
  alphabetSize?: number
  /** Longest code in bits, 1..15 (default 12). */
  maxCodeLength?: number
  /** Symbols per independently decodable block, 1..2^24 (default 131072). */
  blockSize?: number
}

/** Encodes 8-bit (Uint8Array) or 16-bit (Uint16Array) symbols into one self-describing stream. */
export function encodeSymbols(symbols: SymbolArray, options: EncodeOptions = {}): Uint8Array {
  const width = symbolWidth(symbols)
  const alphabetSize = checkedOption('alphabetSize', options.alphabetSize, 1 << (8 * width), 1, 1 << (8 * width))
  const maxCodeLength = checkedOption('maxCodeLength', options.maxCodeLength, DEFAULT_MAX_CODE_LENGTH, 1, MAX_CODE_LENGTH_LIMIT)
  const blockSize = checkedOption('blockSize', options.blockSize, DEFAULT_BLOCK_SIZE, 1, MAX_BLOCK_SIZE)
  if (symbols.length > MAX_SYMBOLS) throw new HuffmanError('bad-option', `${symbols.length} symbols exceed the format's ${MAX_SYMBOLS}`, { field: 'symbols' })
  if (alphabetSize < 1 << (8 * width)) checkSymbolRange(symbols, alphabetSize)
  // Room for every block stored raw, so the output never grows.
  const out = new ByteWriter(symbols.length * width + 6 * Math.ceil(symbols.length / blockSize) + 16)
  writeStreamHeader({ symbolWidth: width, symbolCount: symbols.length, blockSize }, out)
  // Worst case per symbol: a 15-bit escape code plus 16 raw bits.
  const scratch = new Uint8Array(4 * Math.min(blockSize, symbols.length) + 16)
  for (let from = 0; from < symbols.length; from += blockSize) encodeBlock(symbols, from, Math.min(symbols.length, from + blockSize), maxCodeLength, out, scratch)
  return out.result()
}

function checkedOption(name: keyof EncodeOptions, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min || value > max) throw new HuffmanError('bad-option', `${name} must be an integer in ${min}..${max}, got ${value}`, { field: name })
  return value
}

function checkSymbolRange(symbols: SymbolArray, alphabetSize: number): void {
  for (let i = 0; i < symbols.length; i++) {
    if ((symbols[i] as number) >= alphabetSize) throw new HuffmanError('symbol-range', `symbol ${symbols[i]} at ${i} is not below alphabetSize ${alphabetSize}`, { field: 'symbols' })
  }
}

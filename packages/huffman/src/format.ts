/** Constants of the stream format; docs/huffman.md describes every byte. */

/** 'Q', 'H': first bytes of every stream. */
export const MAGIC_0 = 0x51
export const MAGIC_1 = 0x48
export const FORMAT_VERSION = 1

/** First byte of every block. */
export const BlockMode = { Raw: 0, Run: 1, Huffman: 2 } as const
export type BlockMode = (typeof BlockMode)[keyof typeof BlockMode]

/** Longest code the format can describe (a 4-bit length token) and the decoder's table size bound. */
export const MAX_CODE_LENGTH_LIMIT = 15
/** Codes of up to 12 bits take the decoder's fast kernel (12-bit tables, four codes per 64-bit peek). */
export const DEFAULT_MAX_CODE_LENGTH = 12
/**
 * Half a MiB of 8-bit symbols: larger blocks spread the per-block table building (about 0.1 ms)
 * over more symbols; on the isnet int8 level 512 Ki encodes 1.34x faster than 128 Ki and is smaller.
 */
export const DEFAULT_BLOCK_SIZE = 512 * 1024
/** Bounds a block's decode buffers and a single run's claimed length. */
export const MAX_BLOCK_SIZE = 1 << 24
/** Bounds the output a stream header may ask the decoder to allocate. */
export const MAX_SYMBOLS = 2 ** 31 - 1
/** Huffman payloads are split into this many independent bit streams to overlap their dependency chains. */
export const STREAM_COUNT = 4

export type SymbolArray = Uint8Array | Uint16Array

export function symbolWidth(symbols: SymbolArray): 1 | 2 {
  return symbols.BYTES_PER_ELEMENT === 2 ? 2 : 1
}

import { ByteReader } from './byte-reader.js'
import type { ByteWriter } from './byte-writer.js'
import { HuffmanError } from './errors.js'
import { BlockMode, FORMAT_VERSION, MAGIC_0, MAGIC_1, MAX_BLOCK_SIZE, MAX_SYMBOLS } from './format.js'

export interface StreamHeader {
  symbolWidth: 1 | 2
  symbolCount: number
  blockSize: number
}

/** Where one block's body lies in the stream and which symbols it holds. */
export interface BlockInfo {
  mode: BlockMode
  /** Byte offsets of the body (after the mode byte and length varint). */
  bodyStart: number
  bodyEnd: number
  symbolStart: number
  symbolCount: number
}

export interface StreamIndex extends StreamHeader {
  /** Bytes of the stream header (magic, version, width, count, block size). */
  headerBytes: number
  blocks: BlockInfo[]
}

/** Smallest possible block: mode byte, one-byte length, one-byte body. */
const MIN_BLOCK_BYTES = 3

export function writeStreamHeader(header: StreamHeader, out: ByteWriter): void {
  out.byte(MAGIC_0)
  out.byte(MAGIC_1)
  out.byte(FORMAT_VERSION)
  out.byte(header.symbolWidth)
  out.varint(header.symbolCount)
  out.varint(header.blockSize)
}

/** What a caller already knows about a stream; a header that says otherwise is refused before anything is sized from it. */
export interface ExpectedStream {
  count?: number
  width?: 1 | 2
}

/**
 * Reads the header and walks the block headers (no payload is decoded), so blocks can be
 * handed to workers. Every count and length is checked against the bytes present first.
 */
export function readStreamIndex(bytes: Uint8Array, expected: ExpectedStream = {}): StreamIndex {
  const input = new ByteReader(bytes, 0, bytes.length)
  if (input.byte('magic') !== MAGIC_0 || input.byte('magic') !== MAGIC_1) throw new HuffmanError('bad-magic', 'not a qchain Huffman stream', { field: 'magic' })
  const version = input.byte('version')
  if (version !== FORMAT_VERSION) throw new HuffmanError('bad-version', `format version ${version} is not supported`, { field: 'version' })
  const symbolWidth = input.byte('symbol width')
  if (symbolWidth !== 1 && symbolWidth !== 2) throw new HuffmanError('bad-header', `symbol width ${symbolWidth} is neither 1 nor 2`, { field: 'symbol width' })
  const symbolCount = input.boundedVarint('symbol count', MAX_SYMBOLS)
  // Run blocks are 3 bytes for up to 2^24 symbols, so the bytes alone cannot bound the count: the caller's expectation can.
  if (expected.count !== undefined && symbolCount !== expected.count) {
    throw new HuffmanError('count-mismatch', `stream declares ${symbolCount} symbols, expected ${expected.count}`, { field: 'symbol count' })
  }
  if (expected.width !== undefined && symbolWidth !== expected.width) {
    throw new HuffmanError('count-mismatch', `stream holds ${8 * symbolWidth}-bit symbols, expected ${8 * expected.width}-bit`, { field: 'symbol width' })
  }
  const blockSize = input.boundedVarint('block size', MAX_BLOCK_SIZE, 'block-size')
  if (blockSize === 0) throw new HuffmanError('block-size', 'block size is 0', { field: 'block size' })
  const headerBytes = input.pos
  const blockCount = Math.ceil(symbolCount / blockSize)
  if (blockCount * MIN_BLOCK_BYTES > input.remaining) {
    throw new HuffmanError('truncated', `${symbolCount} symbols need ${blockCount} blocks, more than ${input.remaining} bytes can hold`, { field: 'symbol count' })
  }
  const blocks: BlockInfo[] = []
  for (let b = 0; b < blockCount; b++) {
    const mode = input.byte('block mode')
    if (mode !== BlockMode.Raw && mode !== BlockMode.Run && mode !== BlockMode.Huffman) throw new HuffmanError('block-mode', `unknown block mode ${mode}`, { field: `block ${b}` })
    const bodyLength = input.varint('block length')
    if (bodyLength > input.remaining) throw new HuffmanError('truncated', `block ${b} claims ${bodyLength} bytes, ${input.remaining} left`, { field: `block ${b}` })
    const symbolStart = b * blockSize
    blocks.push({ mode, bodyStart: input.pos, bodyEnd: input.pos + bodyLength, symbolStart, symbolCount: Math.min(blockSize, symbolCount - symbolStart) })
    input.pos += bodyLength
  }
  if (input.remaining > 0) throw new HuffmanError('trailing-bytes', `${input.remaining} bytes after the last block`)
  return { symbolWidth, symbolCount, blockSize, headerBytes, blocks }
}

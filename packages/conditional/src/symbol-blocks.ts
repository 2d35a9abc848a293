import { BlockMode, ByteReader, decodeBlock, encodeBlock, MAX_BLOCK_SIZE, readTable, type ByteWriter, type SymbolArray } from '@qchain/huffman'
import { ConditionalError } from './errors.js'
import type { Reader } from './reader.js'

/** Huffman block bytes spent on code tables (the rest is block headers and bit streams). */
export interface BlockBytes {
  tableBytes: number
}

/**
 * Appends symbols[from..to) as @qchain/huffman blocks (mode byte, varint length, body; see
 * docs/huffman.md) of at most `blockSize` symbols. The count is not written: the reader knows it.
 */
export function writeBlocks(symbols: SymbolArray, from: number, to: number, out: ByteWriter, blockSize = MAX_BLOCK_SIZE): BlockBytes {
  let tableBytes = 0
  const width = symbols.BYTES_PER_ELEMENT
  for (let start = from; start < to; start += blockSize) {
    const blockStart = out.length
    encodeBlock(symbols, start, Math.min(to, start + blockSize), 12, out)
    tableBytes += huffmanTableBytes(out, blockStart, width)
  }
  return { tableBytes }
}

/** Appends a raw block: the symbols' bytes, little-endian. */
export function writeRawBlock(symbols: Uint8Array, from: number, to: number, out: ByteWriter): void {
  out.byte(BlockMode.Raw)
  out.varint(to - from)
  out.append(symbols.subarray(from, to))
}

/** The code table size of the block written at `blockStart` (0 for raw and run blocks). */
export function huffmanTableBytes(out: ByteWriter, blockStart: number, width: number): number {
  const bytes = out.reserve(0)
  if (bytes[blockStart] !== BlockMode.Huffman) return 0
  const reader = new ByteReader(bytes, blockStart + 1, out.length)
  reader.varint('block length')
  const tableStart = reader.pos
  readTable(reader, width as 1 | 2)
  return reader.pos - tableStart
}

/** Decodes `count` symbols written by writeBlocks (same blockSize) into target[start..]. */
export function readBlocks(reader: Reader, target: SymbolArray, start: number, count: number, field: string, blockSize = MAX_BLOCK_SIZE): void {
  const width = target.BYTES_PER_ELEMENT as 1 | 2
  for (let done = 0; done < count; done += blockSize) {
    const mode = reader.byte(field)
    if (mode !== BlockMode.Raw && mode !== BlockMode.Run && mode !== BlockMode.Huffman) throw new ConditionalError('bad-payload', `unknown block mode ${mode}`, { field })
    const length = reader.boundedVarint(field, reader.remaining, 'truncated')
    const block = { mode, bodyStart: reader.pos, bodyEnd: reader.pos + length, symbolStart: start + done, symbolCount: Math.min(blockSize, count - done) }
    try {
      decodeBlock(reader.bytes, block, width, target)
    } catch (error) {
      if (error instanceof ConditionalError) throw error
      throw new ConditionalError('bad-payload', `entropy-coded block refused: ${(error as Error).message}`, { field }, { cause: error })
    }
    reader.pos += length
  }
}


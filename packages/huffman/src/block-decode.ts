import { ByteReader } from './byte-reader.js'
import { decodeStreams } from './decode-kernel.js'
import { buildDecodeTable } from './decode-table.js'
import { HuffmanError } from './errors.js'
import { BlockMode, STREAM_COUNT, type SymbolArray } from './format.js'
import type { BlockInfo } from './stream-index.js'
import { readTable, type CodeTable } from './table-format.js'

/** Decodes one block of a stream into out[block.symbolStart ..]; blocks are independent. */
export function decodeBlock(bytes: Uint8Array, block: BlockInfo, symbolWidth: 1 | 2, out: SymbolArray): void {
  const body = new ByteReader(bytes, block.bodyStart, block.bodyEnd)
  const context = { field: `block at byte ${block.bodyStart}` }
  const { symbolStart, symbolCount } = block
  if (out.BYTES_PER_ELEMENT !== symbolWidth) throw new HuffmanError('bad-option', `${8 * symbolWidth}-bit symbols need a ${symbolWidth === 1 ? 'Uint8Array' : 'Uint16Array'} output`, context)
  if (symbolStart + symbolCount > out.length) throw new HuffmanError('output-size', `output of ${out.length} symbols is too small`, context)
  if (block.mode === BlockMode.Raw) {
    if (body.remaining !== symbolCount * symbolWidth) throw new HuffmanError('block-size', `raw block of ${body.remaining} bytes for ${symbolCount} symbols`, context)
    readRaw(body, symbolWidth, out, symbolStart, symbolCount)
  } else if (block.mode === BlockMode.Run) {
    const symbol = body.boundedVarint('run symbol', (1 << (8 * symbolWidth)) - 1, 'bad-payload')
    if (body.remaining !== 0) throw new HuffmanError('block-size', `run block has ${body.remaining} extra bytes`, context)
    out.fill(symbol, symbolStart, symbolStart + symbolCount)
  } else {
    const table = readTable(body, symbolWidth)
    const bounds = readStreamBounds(body)
    decodeStreams(bytes.subarray(block.bodyStart, block.bodyEnd), bounds, buildDecodeTable(table), table.escapeBits, out, symbolStart, symbolCount)
  }
}

/** Parses a Huffman block's table and stream lengths without decoding; for size reports. */
export function readHuffmanLayout(bytes: Uint8Array, block: BlockInfo, symbolWidth: 1 | 2): { table: CodeTable; tableBytes: number; streamBounds: Int32Array } {
  const body = new ByteReader(bytes, block.bodyStart, block.bodyEnd)
  const table = readTable(body, symbolWidth)
  const tableBytes = body.pos - block.bodyStart
  return { table, tableBytes, streamBounds: readStreamBounds(body) }
}

/** Byte offsets, from the body start, of the four streams' starts plus the end of the last. */
function readStreamBounds(body: ByteReader): Int32Array {
  const bounds = new Int32Array(STREAM_COUNT + 1)
  const lengths: number[] = []
  for (let k = 0; k < STREAM_COUNT - 1; k++) lengths.push(body.boundedVarint('stream length', body.remaining, 'block-size'))
  let pos = body.pos - body.start
  for (let k = 0; k < STREAM_COUNT - 1; k++) {
    bounds[k] = pos
    pos += lengths[k] as number
    if (pos > body.end - body.start) throw new HuffmanError('block-size', 'stream lengths pass the block end', { field: 'stream length' })
  }
  bounds[STREAM_COUNT - 1] = pos
  bounds[STREAM_COUNT] = body.end - body.start
  return bounds
}

function readRaw(body: ByteReader, symbolWidth: 1 | 2, out: SymbolArray, start: number, count: number): void {
  const src = body.take(count * symbolWidth, 'raw symbols')
  if (symbolWidth === 1) {
    out.set(src, start)
    return
  }
  for (let i = 0; i < count; i++) out[start + i] = (src[2 * i] as number) | ((src[2 * i + 1] as number) << 8)
}

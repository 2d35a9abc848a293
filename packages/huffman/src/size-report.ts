import { readHuffmanLayout } from './block-decode.js'
import { BlockMode } from './format.js'
import { readStreamIndex } from './stream-index.js'

/** Where an encoded stream's bytes go; the four parts sum to `totalBytes`. */
export interface SizeBreakdown {
  totalBytes: number
  /** Stream header, block mode bytes and length varints, stream-length varints. */
  headerBytes: number
  /** Serialized code tables of Huffman blocks. */
  tableBytes: number
  /** Huffman bit streams plus raw and run block bodies. */
  payloadBytes: number
  blocks: { raw: number; run: number; huffman: number }
}

/** Exact size breakdown of an encoded stream (validates its structure, decodes no payload). */
export function sizeBreakdown(bytes: Uint8Array): SizeBreakdown {
  const index = readStreamIndex(bytes)
  const report: SizeBreakdown = { totalBytes: bytes.length, headerBytes: bytes.length, tableBytes: 0, payloadBytes: 0, blocks: { raw: 0, run: 0, huffman: 0 } }
  for (const block of index.blocks) {
    let payload = block.bodyEnd - block.bodyStart
    if (block.mode === BlockMode.Huffman) {
      const { tableBytes, streamBounds } = readHuffmanLayout(bytes, block, index.symbolWidth)
      report.tableBytes += tableBytes
      payload = (streamBounds[streamBounds.length - 1] as number) - (streamBounds[0] as number)
      report.blocks.huffman++
    } else if (block.mode === BlockMode.Raw) {
      report.blocks.raw++
    } else {
      report.blocks.run++
    }
    report.payloadBytes += payload
  }
  report.headerBytes -= report.tableBytes + report.payloadBytes
  return report
}

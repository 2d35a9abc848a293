import { ByteWriter, varintSize } from './byte-writer.js'
import { canonicalCodes } from './canonical.js'
import { buildCodeLengths } from './code-lengths.js'
import { writeStream } from './encode-kernel.js'
import { chooseEscapes } from './escape.js'
import { blockKernel, type BlockKernel } from './fast-encode.js'
import { BlockMode, STREAM_COUNT, symbolWidth, type SymbolArray } from './format.js'
import { histogram } from './histogram.js'
import { writeTable, type CodeTable } from './table-format.js'

/**
 * Appends one block for symbols[from..to): mode byte, varint body length, body. One distinct
 * symbol becomes a run, a Huffman body that would not be smaller than the raw symbols is
 * stored raw. `scratch` (at least 4 bytes per symbol + 16) is reused across blocks by callers
 * with many; it is only needed, and else allocated, when the TypeScript loops write the streams.
 */
export function encodeBlock(symbols: SymbolArray, from: number, to: number, maxLength: number, out: ByteWriter, scratch?: Uint8Array): void {
  // The native or WebAssembly kernels count and write where they can; the TypeScript loops give the same bytes.
  const fast = blockKernel(symbols, from, to)
  const counts = fast ? fast.histogram() : histogram(symbols, from, to)
  const first = symbols[from] as number
  if (counts[first] === to - from) {
    out.byte(BlockMode.Run)
    out.varint(varintSize(first))
    out.varint(first)
    return
  }
  const { codeCounts, escapeBits } = chooseEscapes(counts, to - from, maxLength)
  const table: CodeTable = { lengths: buildCodeLengths(codeCounts, maxLength), escapeBits }
  const tableBytes = new ByteWriter(64)
  writeTable(table, tableBytes)
  const { payload, ends: streamEnds } = writeStreams(symbols, from, to, table, counts.length, scratch, fast)
  const lengths = streamEnds.slice(0, -1).map((end, k) => end - (k === 0 ? 0 : (streamEnds[k - 1] as number)))
  const payloadBytes = streamEnds[STREAM_COUNT - 1] as number
  const bodyBytes = tableBytes.length + lengths.reduce((sum, length) => sum + varintSize(length), 0) + payloadBytes
  const rawBytes = (to - from) * symbolWidth(symbols)
  if (bodyBytes >= rawBytes) {
    out.byte(BlockMode.Raw)
    out.varint(rawBytes)
    writeRaw(symbols, from, to, out)
    return
  }
  // Huffman body: table, byte lengths of streams 0..2 (stream 3 takes the rest), the streams.
  out.byte(BlockMode.Huffman)
  out.varint(bodyBytes)
  out.append(tableBytes.result())
  for (const length of lengths) out.varint(length)
  out.append(payload)
}

/** Writes the four streams back to back (into `scratch` unless the kernel does it); returns their bytes and each stream's end offset. */
function writeStreams(symbols: SymbolArray, from: number, to: number, table: CodeTable, alphabetSize: number, scratch: Uint8Array | undefined, fast: BlockKernel | null): { payload: Uint8Array; ends: number[] } {
  const { codeOf, escapeCode } = encodingCodes(table, alphabetSize)
  const longestCode = table.lengths.reduce((longest, length) => Math.max(longest, length), 0)
  const written = fast?.writeStreams(codeOf, longestCode, table.escapeBits > 0)
  if (written) return written
  const buffer = scratch ?? new Uint8Array(4 * (to - from) + 16)
  const quarter = Math.floor((to - from) / STREAM_COUNT)
  const ends: number[] = []
  let end = 0
  for (let k = 0; k < STREAM_COUNT; k++) {
    const streamTo = k === STREAM_COUNT - 1 ? to : from + (k + 1) * quarter
    end = writeStream(symbols, from + k * quarter, streamTo, codeOf, longestCode, escapeCode, table.escapeBits, buffer, end)
    ends.push(end)
  }
  return { payload: buffer.subarray(0, end), ends }
}

/** Per-symbol (reversed code << 4) | length for the encoder; escaped symbols get 0. */
function encodingCodes(table: CodeTable, alphabetSize: number): { codeOf: Uint32Array; escapeCode: number } {
  const codes = canonicalCodes(table.lengths)
  const codeOf = new Uint32Array(alphabetSize)
  const symbolCount = table.lengths.length - 1
  for (let s = 0; s < symbolCount; s++) {
    const length = table.lengths[s] as number
    if (length > 0) codeOf[s] = ((codes[s] as number) << 4) | length
  }
  const escapeCode = ((codes[symbolCount] as number) << 4) | (table.lengths[symbolCount] as number)
  return { codeOf, escapeCode }
}

function writeRaw(symbols: SymbolArray, from: number, to: number, out: ByteWriter): void {
  const width = symbolWidth(symbols)
  const bytes = out.reserve((to - from) * width)
  let p = out.length
  for (let i = from; i < to; i++) {
    const symbol = symbols[i] as number
    bytes[p++] = symbol
    if (width === 2) bytes[p++] = symbol >>> 8
  }
  out.length = p
}

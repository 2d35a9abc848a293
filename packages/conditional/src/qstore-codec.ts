import { ByteWriter, encodeBlock } from '@qchain/huffman'
import { bucketIds, bucketStarts } from './buckets.js'
import { checkPair } from './child-rows.js'
import { ConditionalError } from './errors.js'
import { CodecId, LATEST_VERSION, writeHeader, type FormatVersion } from './header.js'
import { readQuantGrid, writeQuantGrid } from './quant-grid.js'
import { outputArray, type OutputArray } from './output.js'
import type { Reader } from './reader.js'
import { huffmanTableBytes, readBlocks, writeRawBlock } from './symbol-blocks.js'
import { isHalfMatrix, isInt8Level, type Child, type Parent } from './types.js'

/** QStore's chunking: at most 128 KiB per Huffman chunk; small or incompressible chunks stay raw. */
const CHUNK_BYTES = 128 * 1024
const RAW_CHUNK_MAX = 64
const MIN_SAVING = 0.99

export interface QstoreReport {
  header: number
  sideInfo: number
  /** Huffman code tables of all chunks (one or two streams per bucket). */
  tables: number
  /** Everything else: chunk headers, bit streams, raw chunks. */
  payload: number
  buckets: number
}

/**
 * QStore's method (the baseline): bucket the child by (exact parent scale, parent code); each
 * bucket's high bytes and low bytes (or its codes, for a code child) form streams, Huffman-coded
 * in chunks. Every byte is counted, per-bucket tables included.
 */
/** QStore's body is the same in both format versions; `version` only sets the header's. */
export function encodeQstoreReport(child: Child, parent: Parent, version: FormatVersion = LATEST_VERSION): { bytes: Uint8Array; report: QstoreReport } {
  checkPair(child, parent)
  const out = new ByteWriter(2 * child.rows * child.cols + 64)
  writeHeader(CodecId.Qstore, version, child, parent, out)
  const header = out.length
  if (!isHalfMatrix(child)) {
    if (isInt8Level(parent)) throw new ConditionalError('unsupported-pair', 'a GPTQ child needs a GPTQ parent')
    writeQuantGrid(child, parent, out)
  }
  const sideInfo = out.length - header
  const { ids, counts } = bucketIds(parent)
  const starts = bucketStarts(counts)
  const planes = isHalfMatrix(child) ? 2 : 1
  const grouped = Array.from({ length: planes }, () => new Uint8Array(ids.length))
  const cursor = starts.slice(0, counts.length)
  for (let i = 0; i < ids.length; i++) {
    const at = (cursor[ids[i] as number] as number)++
    if (isHalfMatrix(child)) {
      grouped[0]![at] = (child.bits[i] as number) >>> 8
      grouped[1]![at] = (child.bits[i] as number) & 0xff
    } else {
      grouped[0]![at] = child.codes[i] as number
    }
  }
  let tables = 0
  for (let b = 0; b < counts.length; b++) {
    for (const plane of grouped) tables += writeChunks(plane, starts[b] as number, starts[b + 1] as number, out)
  }
  const bytes = out.result()
  return { bytes, report: { header, sideInfo, tables, payload: bytes.length - header - sideInfo - tables, buckets: counts.length } }
}

/** Writes bytes[from..to) in chunks; returns the table bytes spent. */
function writeChunks(bytes: Uint8Array, from: number, to: number, out: ByteWriter): number {
  let tables = 0
  for (let start = from; start < to; start += CHUNK_BYTES) {
    const end = Math.min(to, start + CHUNK_BYTES)
    if (end - start <= RAW_CHUNK_MAX) {
      writeRawBlock(bytes, start, end, out)
      continue
    }
    const chunk = new ByteWriter(end - start + 64)
    encodeBlock(bytes, start, end, 12, chunk)
    if (chunk.length >= MIN_SAVING * (end - start)) {
      writeRawBlock(bytes, start, end, out)
      continue
    }
    const blockStart = out.length
    out.append(chunk.result())
    tables += huffmanTableBytes(out, blockStart, 1)
  }
  return tables
}

export function decodeQstoreBody(reader: Reader, parent: Parent, child: 'f16' | 'bf16' | 'codes', childBits: number, into?: OutputArray): Child {
  const { rows, cols } = parent
  const buckets = bucketIds(parent)
  if (child === 'codes') {
    if (isInt8Level(parent)) throw new ConditionalError('bad-header', 'a code child needs a GPTQ parent')
    const grid = readQuantGrid(reader, childBits, parent)
    const [plane] = readPlanes(reader, buckets.counts, 1, rows * cols)
    const codes = outputArray(into, Uint8Array, rows * cols)
    let all = 0
    gather(buckets, (i, at) => (all |= codes[i] = plane![at] as number))
    if (all >> childBits) throw new ConditionalError('bad-payload', `a code does not fit in ${childBits} bits`, { field: 'codes' })
    return { rows, cols, ...grid, codes }
  }
  const [high, low] = readPlanes(reader, buckets.counts, 2, rows * cols)
  const bits = outputArray(into, Uint16Array, rows * cols)
  gather(buckets, (i, at) => (bits[i] = ((high![at] as number) << 8) | (low![at] as number)))
  return { rows, cols, format: child, bits }
}

/** Every bucket's byte runs (one or two planes), each plane laid out bucket by bucket. */
function readPlanes(reader: Reader, counts: Int32Array, planes: number, length: number): Uint8Array[] {
  const starts = bucketStarts(counts)
  const grouped = Array.from({ length: planes }, () => new Uint8Array(length))
  for (let b = 0; b < counts.length; b++) {
    for (const plane of grouped) readBlocks(reader, plane, starts[b] as number, counts[b] as number, `bucket ${b}`, CHUNK_BYTES)
  }
  return grouped
}

/** Calls take(element, position in the bucket-ordered planes) in row-major element order. */
function gather({ ids, counts }: { ids: Int32Array; counts: Int32Array }, take: (i: number, at: number) => void): void {
  const cursor = bucketStarts(counts)
  for (let i = 0; i < ids.length; i++) take(i, (cursor[ids[i] as number] as number)++)
}

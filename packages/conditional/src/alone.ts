import { ByteWriter, decodeSymbolRange, encodeSymbols, type SymbolArray } from '@qchain/huffman'
import { ConditionalError } from './errors.js'
import { checkBand, checkLevel } from './parent.js'
import type { OutputArray } from './output.js'
import { Reader } from './reader.js'
import { isHalfMatrix, MAX_ELEMENTS, type HalfMatrix, type QuantLevel, type RowBand } from './types.js'

/** 'Q', 'A': a tensor coded without a parent (base levels, biases, norms, embeddings). */
const MAGIC_0 = 0x51
const MAGIC_1 = 0x41
const FORMAT_VERSION = 1
const Kind = { F16: 1, Bf16: 2, Codes: 3 } as const
const GroupMode = { Standard: 1, Explicit: 2 } as const

/**
 * Codes a tensor on its own with @qchain/huffman: 16-bit weights as their high and low byte
 * planes (ZipNN's split: the high byte holds sign and exponent, the skewed part), a GPTQ level
 * as its codes plus its grid.
 */
export function encodeAlone(tensor: HalfMatrix | QuantLevel): Uint8Array {
  checkLevel(tensor, 'bad-child')
  const out = new ByteWriter(2 * tensor.rows * tensor.cols + 64)
  out.byte(MAGIC_0)
  out.byte(MAGIC_1)
  out.byte(FORMAT_VERSION)
  out.byte(isHalfMatrix(tensor) ? (tensor.format === 'f16' ? Kind.F16 : Kind.Bf16) : Kind.Codes)
  out.varint(tensor.rows)
  out.varint(tensor.cols)
  if (isHalfMatrix(tensor)) {
    writePlanes(tensor.bits, out)
    return out.result()
  }
  const groups = tensor.scales.length / tensor.rows
  out.byte(tensor.bits)
  out.varint(groups)
  const size = groups === 1 ? tensor.cols : tensor.gIdx.indexOf(1)
  if (size > 0 && tensor.gIdx.every((g, j) => g === Math.floor(j / size)) && Math.ceil(tensor.cols / size) === groups) {
    out.byte(GroupMode.Standard)
    out.varint(size)
  } else {
    if (groups > 65536) throw new ConditionalError('bad-child', `${groups} groups with a custom g_idx exceed 65536`, { field: 'g_idx' })
    out.byte(GroupMode.Explicit)
    writeStream(Uint16Array.from(tensor.gIdx), out)
  }
  writeStream(tensor.codes, out)
  writePlanes(tensor.scales, out)
  writeStream(tensor.zeros, out)
  return out.result()
}

/**
 * `into` (a Uint16Array for 16-bit weights, Uint8Array for codes, of rows * cols elements)
 * receives the weights or codes without allocating them, when it is of the kind and length the
 * stream holds (else they are allocated, as without it).
 */
export function decodeAlone(bytes: Uint8Array, into?: OutputArray): HalfMatrix | QuantLevel {
  return readAlone(bytes, undefined, into)
}

/**
 * Decodes rows band.first..band.end-1 of a tensor coded alone, reading only the Huffman blocks
 * that hold them: the weights or codes of those rows (a GPTQ grid whole), as RowBand describes;
 * `into` as for decodeAlone, of the band's elements.
 */
export function decodeAloneRows(bytes: Uint8Array, band: RowBand, into?: OutputArray): HalfMatrix | QuantLevel {
  return readAlone(bytes, band, into)
}

function readAlone(bytes: Uint8Array, band?: RowBand, into?: OutputArray): HalfMatrix | QuantLevel {
  const reader = new Reader(bytes)
  if (reader.byte('magic') !== MAGIC_0 || reader.byte('magic') !== MAGIC_1) throw new ConditionalError('bad-magic', 'not a qchain alone stream', { field: 'magic' })
  const version = reader.byte('version')
  if (version !== FORMAT_VERSION) throw new ConditionalError('bad-version', `format version ${version} is not supported`, { field: 'version' })
  const kind = reader.byte('kind')
  const rows = reader.boundedVarint('rows', MAX_ELEMENTS, 'bad-header')
  const cols = reader.boundedVarint('cols', MAX_ELEMENTS, 'bad-header')
  if (rows < 1 || cols < 1 || rows * cols > MAX_ELEMENTS) throw new ConditionalError('bad-header', `shape [${rows}, ${cols}] is not supported`, { field: 'shape' })
  if (band) checkBand(band, rows)
  // the elements wanted: all, or the band's rows
  const span = band ? { count: rows * cols, from: band.first * cols, to: band.end * cols } : whole(rows * cols)
  // `into` when it fits the stream; otherwise the values are allocated once their stream has backed the header's shape
  const given = <T extends OutputArray>(type: new (length: number) => T) => (into instanceof type && into.length === span.to - span.from ? into : undefined)
  let tensor: HalfMatrix | QuantLevel
  if (kind === Kind.F16 || kind === Kind.Bf16) {
    tensor = { rows, cols, format: kind === Kind.F16 ? 'f16' : 'bf16', bits: readPlanes(reader, span, given(Uint16Array)) }
  } else if (kind === Kind.Codes) {
    const bits = reader.byte('bits')
    const groups = reader.boundedVarint('groups', cols, 'bad-header')
    const mode = reader.byte('g_idx mode')
    let size = 0
    let explicit: Int32Array | undefined
    if (mode === GroupMode.Standard) {
      size = reader.boundedVarint('group size', cols, 'bad-header')
      if (size < 1) throw new ConditionalError('bad-header', 'group size 0', { field: 'group size' })
    } else if (mode === GroupMode.Explicit) {
      explicit = Int32Array.from(readStream(reader, whole(cols), 2))
    } else {
      throw new ConditionalError('bad-header', `unknown g_idx mode ${mode}`, { field: 'g_idx mode' })
    }
    const codes = readStream(reader, span, 1, given(Uint8Array)) as Uint8Array
    // Only now has a stream backed the header's cols: a damaged header must not cost a huge g_idx.
    const gIdx = explicit ?? standardGroups(cols, size)
    const scales = readPlanes(reader, whole(groups * rows))
    const zeros = readStream(reader, whole(groups * rows), 2) as Uint16Array
    tensor = { rows, cols, bits, codes, scales, zeros, gIdx }
    checkLevel(tensor, 'bad-payload', band)
  } else {
    throw new ConditionalError('bad-header', `unknown kind ${kind}`, { field: 'kind' })
  }
  reader.expectEnd()
  return tensor
}

/** g_idx of consecutive groups of `size` columns (j // size). */
function standardGroups(cols: number, size: number): Int32Array {
  const gIdx = new Int32Array(cols)
  for (let j = 0; j < cols; j++) gIdx[j] = Math.floor(j / size)
  return gIdx
}

function writeStream(symbols: SymbolArray, out: ByteWriter): void {
  const stream = encodeSymbols(symbols)
  out.varint(stream.length)
  out.append(stream)
}

/** A stream's `count` symbols, of which symbols from..to-1 are wanted. */
interface Span {
  count: number
  from: number
  to: number
}

const whole = (count: number): Span => ({ count, from: 0, to: count })

/**
 * Symbols from..to-1 of a length-prefixed Huffman stream that must hold exactly `count`
 * symbols of `width` bytes. The decoder refuses any other count or width before it allocates,
 * so a damaged header allocates gigabytes only if the stream agrees with it.
 */
function readStream(reader: Reader, span: Span, width: 1 | 2, out?: SymbolArray): SymbolArray {
  const stream = reader.take(reader.boundedVarint('stream length', reader.remaining, 'truncated'), 'stream')
  try {
    return decodeSymbolRange(stream, span.from, span.to, { expectedCount: span.count, expectedWidth: width, ...(out && { out }) })
  } catch (error) {
    throw new ConditionalError('bad-payload', `Huffman stream refused: ${(error as Error).message}`, { field: 'stream' }, { cause: error })
  }
}

function writePlanes(values: Uint16Array, out: ByteWriter): void {
  // Plain loops: Uint8Array.from with a mapper goes through a boxed array as long as the input.
  const plane = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) plane[i] = (values[i] as number) >>> 8
  writeStream(plane, out)
  for (let i = 0; i < values.length; i++) plane[i] = (values[i] as number) & 0xff
  writeStream(plane, out)
}

function readPlanes(reader: Reader, span: Span, into?: Uint16Array): Uint16Array {
  const high = readStream(reader, span, 1)
  const low = readStream(reader, span, 1)
  const values = into ?? new Uint16Array(high.length)
  for (let i = 0; i < values.length; i++) values[i] = ((high[i] as number) << 8) | (low[i] as number)
  return values
}

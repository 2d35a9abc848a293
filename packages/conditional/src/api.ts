import type { ConditionalCodec } from './codec.js'
import { ConditionalError } from './errors.js'
import { CodecId, isFormatVersion, LATEST_VERSION, readHeader } from './header.js'
import { checkBand, checkLevel } from './parent.js'
import { decodeQstoreBody, encodeQstoreReport } from './qstore-codec.js'
import type { OutputArray } from './output.js'
import { Reader } from './reader.js'
import { decodeResidualBody, encodeResidualReport, type ResidualOptions } from './residual-codec.js'
import type { Child, Parent, RowBand } from './types.js'

export type CodecName = ConditionalCodec['name']

/** Decodes a stream (of the `expected` codec, or any when omitted) against its parent level; with `band`, those rows only. */
function decodeStream(bytes: Uint8Array, parent: Parent, expected?: CodecId, into?: OutputArray, band?: RowBand): Child {
  if (band) checkBand(band, parent.rows)
  checkLevel(parent, 'bad-parent', band)
  const reader = new Reader(bytes)
  const header = readHeader(reader, parent)
  if (expected !== undefined && header.codec !== expected) throw new ConditionalError('bad-header', `stream is of codec ${header.codec}, expected ${expected}`, { field: 'codec' })
  if (band && header.codec !== CodecId.Residual) throw new ConditionalError('unsupported-rows', "QStore's buckets span the matrix: its rows cannot be decoded apart", { field: 'rows' })
  const child = header.codec === CodecId.Residual ? decodeResidualBody(reader, parent, header.child, header.childBits, header.version, into, band) : decodeQstoreBody(reader, parent, header.child, header.childBits, into)
  reader.expectEnd()
  return child
}

/** The default: residuals from the parent's prediction, in the child's own steps, by context. */
export const residualCodec: ConditionalCodec = {
  name: 'residual',
  encode: (child, parent) => encodeResidualReport(child, parent).bytes,
  decode: (bytes, parent) => decodeStream(bytes, parent, CodecId.Residual),
}

/** QStore's method, the baseline. */
export const qstoreCodec: ConditionalCodec = {
  name: 'qstore',
  encode: (child, parent) => encodeQstoreReport(child, parent).bytes,
  decode: (bytes, parent) => decodeStream(bytes, parent, CodecId.Qstore),
}

export const CODECS: Record<CodecName, ConditionalCodec> = { residual: residualCodec, qstore: qstoreCodec }

/**
 * Codes `child` given `parent` (default codec: residual). Pairs: 16|int8, 16|GPTQ, GPTQ|GPTQ.
 * The residual codec's `version` and `coder` are described at ResidualOptions.
 */
export function encode(child: Child, parent: Parent, options: { codec?: CodecName } & ResidualOptions = {}): Uint8Array {
  const codec = CODECS[options.codec ?? 'residual']
  if (!codec) throw new ConditionalError('unsupported-pair', `unknown codec ${String(options.codec)}`, { field: 'codec' })
  if (codec === residualCodec) return encodeResidualReport(child, parent, { version: options.version, coder: options.coder }).bytes
  if (options.coder !== undefined) throw new ConditionalError('unsupported-pair', "QStore's method has no coder choice", { field: 'coder' })
  const { version = LATEST_VERSION } = options
  if (!isFormatVersion(version)) throw new ConditionalError('unsupported-pair', `unknown format version ${String(version)}`, { field: 'version' })
  return encodeQstoreReport(child, parent, version).bytes
}

/**
 * Restores the child bit for bit; the stream names its codec. `into` (a Uint16Array for 16-bit
 * children, Uint8Array for codes, of rows * cols elements) receives the values without allocating;
 * when the stream is refused it may hold some of them.
 */
export function decode(bytes: Uint8Array, parent: Parent, into?: OutputArray): Child {
  return decodeStream(bytes, parent, undefined, into)
}

/**
 * Decodes rows band.first..band.end-1 of the child on their own (one worker's share of a large
 * matrix): `parent` holds its codes or weights for those rows only (its SCB or scales, zeros
 * and g_idx whole), and so does the child returned (its grid whole). The result equals those
 * rows of a whole decode. Only version 2 static residual bodies can be cut, and only between
 * their slabs: any other stream is refused with 'unsupported-rows' (decode it whole instead).
 */
export function decodeRows(bytes: Uint8Array, parent: Parent, band: RowBand, into?: OutputArray): Child {
  return decodeStream(bytes, parent, undefined, into, band)
}

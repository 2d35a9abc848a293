import { FormatError } from './errors.js'
import { FOOTER_BYTES, FORMAT_VERSION, HEADER_BYTES, hasMagic, MAGIC, MAX_INDEX_BYTES, SUPPORTED_VERSIONS } from './layout.js'
import { xxh32 } from './xxhash32.js'

export interface Footer {
  version: number
  indexOffset: number
  indexLength: number
  indexChecksum: number
}

export function encodeFooter(indexOffset: number, indexLength: number, indexChecksum: number): Uint8Array {
  const bytes = new Uint8Array(FOOTER_BYTES)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, BigInt(indexOffset), true)
  view.setBigUint64(8, BigInt(indexLength), true)
  view.setUint32(16, indexChecksum, true)
  view.setUint32(24, FORMAT_VERSION, true)
  view.setUint32(28, xxh32(bytes.subarray(0, 28)), true)
  bytes.set(MAGIC, 32)
  return bytes
}

/**
 * Parses the last FOOTER_BYTES of a container of `fileSize` bytes. Checks run in the order
 * that gives the most useful message: end magic (is this a finished container at all?),
 * version (the last 16 bytes keep their meaning in every version), footer checksum, then
 * every field against the caps and the file size.
 */
export function parseFooter(bytes: Uint8Array, fileSize: number, file: string): Footer {
  const context = { file, field: 'footer' }
  if (bytes.length !== FOOTER_BYTES) throw new FormatError('truncated', `footer needs ${FOOTER_BYTES} bytes, got ${bytes.length}`, context)
  if (!hasMagic(bytes, 32)) {
    throw new FormatError('no-footer', 'the last 8 bytes are not the qchain end magic: the file is truncated, was never finished, or is not a qchain container', context)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, FOOTER_BYTES)
  const version = view.getUint32(24, true)
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw new FormatError('unsupported-version', `container format version ${version}; this build reads version ${SUPPORTED_VERSIONS.join(', ')} (a newer qchain wrote it, or the footer is damaged)`, context)
  }
  if (xxh32(bytes.subarray(0, 28)) !== view.getUint32(28, true)) throw new FormatError('footer-checksum', 'footer checksum mismatch: the footer is damaged', context)
  if (view.getUint32(20, true) !== 0) throw new FormatError('bad-footer', 'footer flags must be 0', context)
  const indexOffset = readU64(view, 0)
  const indexLength = readU64(view, 8)
  if (indexLength > MAX_INDEX_BYTES) {
    throw new FormatError('index-too-large', `index length ${indexLength} exceeds the ${MAX_INDEX_BYTES}-byte cap`, context)
  }
  // The index sits right before the footer, after the header: anything else is truncation or garbage.
  if (indexOffset < HEADER_BYTES || indexOffset + indexLength !== fileSize - FOOTER_BYTES) {
    throw new FormatError('bad-footer', `index at [${indexOffset}, ${indexOffset + indexLength}) does not end where the footer starts (${fileSize - FOOTER_BYTES})`, context)
  }
  return { version, indexOffset, indexLength, indexChecksum: view.getUint32(16, true) }
}

/** A u64 as a number; values past 2^53 become Infinity so range checks refuse them. */
function readU64(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true)
  return high >= 2 ** 21 ? Number.POSITIVE_INFINITY : high * 2 ** 32 + view.getUint32(at, true)
}

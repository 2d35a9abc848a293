import { FormatError } from './errors.js'
import { FORMAT_VERSION, hasMagic, HEADER_BYTES, MAGIC } from './layout.js'

export function encodeFileHeader(): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES)
  bytes.set(MAGIC)
  new DataView(bytes.buffer).setUint32(8, FORMAT_VERSION, true)
  return bytes
}

/**
 * Checks the 16 leading bytes against the version the footer announced. Readers locate
 * everything from the footer, so only a full verification reads this.
 */
export function checkFileHeader(bytes: Uint8Array, version: number, file: string): void {
  const context = { file, field: 'header' }
  if (bytes.length !== HEADER_BYTES || !hasMagic(bytes, 0)) throw new FormatError('bad-header', 'the first 8 bytes are not the qchain magic', context)
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES)
  const headerVersion = view.getUint32(8, true)
  if (headerVersion !== version) throw new FormatError('bad-header', `header says version ${headerVersion}, footer says ${version}`, context)
  if (view.getUint32(12, true) !== 0) throw new FormatError('bad-header', 'header flags must be 0', context)
}

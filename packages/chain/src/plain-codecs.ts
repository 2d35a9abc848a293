import { decodeAlone, encodeAlone } from '@qchain/conditional'
import { encodeSymbols } from '@qchain/huffman'
import { decodeByteRange } from './byte-stream.js'
import { ChainError } from './errors.js'

/** Codecs for tensors stored on their own (embeddings, norms, biases, any non-quantized tensor). */
export type PlainCodec = 'plain-half' | 'plain-bytes'

/**
 * Plain tensors are coded in slices of this many bytes, one section each: a 65M-value
 * embedding then never needs more than a slice of working memory to encode, and its slices
 * spread over the workers. Even, so a 16-bit value never straddles two slices.
 */
export const PLAIN_SLICE_BYTES = 8 * 1024 * 1024

/** The [start, end) byte ranges of a plain tensor's slices (one for an empty tensor). */
export function plainSlices(byteLength: number, sliceBytes: number = PLAIN_SLICE_BYTES): [number, number][] {
  const slices: [number, number][] = []
  for (let start = 0; start < byteLength || slices.length === 0; start += sliceBytes) slices.push([start, Math.min(start + sliceBytes, byteLength)])
  return slices
}

/** The codec a plain tensor of this dtype and byte length gets. */
export function plainCodec(dtype: string, byteLength: number): PlainCodec {
  return (dtype === 'F16' || dtype === 'BF16') && byteLength >= 2 ? 'plain-half' : 'plain-bytes'
}

/** One slice: 16-bit floats as Huffman-coded byte planes; anything else as Huffman-coded bytes. */
export function encodePlain(bytes: Uint8Array, dtype: string): { codec: PlainCodec; bytes: Uint8Array } {
  const codec = plainCodec(dtype, bytes.length)
  if (codec === 'plain-bytes') return { codec, bytes: encodeSymbols(bytes) }
  // A 16-bit view needs an even offset; only a misaligned slice is copied.
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice()
  const bits = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 1)
  return { codec, bytes: encodeAlone({ rows: 1, cols: bits.length, format: dtype === 'F16' ? 'f16' : 'bf16', bits }) }
}

/**
 * Decodes a plain tensor from its slices' sections, `sliceBytes` each but the last (the index
 * records the slice size; a tensor written in one piece has one section covering it all).
 */
export function decodePlain(codec: string, sections: readonly Uint8Array[], byteLength: number, sliceBytes: number, where: { level: string; tensor: string }): Uint8Array {
  if (!Number.isSafeInteger(sliceBytes) || sliceBytes < 1 || (codec === 'plain-half' && sliceBytes % 2 !== 0)) {
    throw new ChainError('corrupt', `the index gives a slice size of ${sliceBytes} bytes`, where)
  }
  const slices = plainSlices(byteLength, sliceBytes)
  if (sections.length !== slices.length) throw new ChainError('corrupt', `${sections.length} sections for a tensor of ${slices.length} slices`, where)
  if (slices.length === 1) return decodeSlice(codec, sections[0] as Uint8Array, byteLength, where)
  // The first slice decoded proves the streams agree with the index before the whole tensor is allocated.
  const first = decodeSlice(codec, sections[0] as Uint8Array, sliceBytes, where)
  const bytes = new Uint8Array(byteLength)
  bytes.set(first)
  for (let index = 1; index < slices.length; index++) {
    const [start, end] = slices[index] as [number, number]
    bytes.set(decodeSlice(codec, sections[index] as Uint8Array, end - start, where), start)
  }
  return bytes
}

function decodeSlice(codec: string, section: Uint8Array, byteLength: number, where: { level: string; tensor: string }): Uint8Array {
  let bytes: Uint8Array
  if (codec === 'plain-half') {
    const decoded = decodeAlone(section)
    if (!('format' in decoded)) throw new ChainError('corrupt', 'a plain 16-bit stream holds quantized codes', where)
    bytes = new Uint8Array(decoded.bits.buffer, decoded.bits.byteOffset, decoded.bits.byteLength)
  } else if (codec === 'plain-bytes') {
    bytes = decodeByteRange(section, byteLength, 0, byteLength, where)
  } else {
    throw new ChainError('unsupported', `unknown tensor codec ${JSON.stringify(codec)}`, where)
  }
  if (bytes.length !== byteLength) throw new ChainError('corrupt', `decoded ${bytes.length} bytes, the index says ${byteLength}`, where)
  return bytes
}

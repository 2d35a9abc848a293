import { decodeAlone, encodeAlone } from '@qchain/conditional'
import { encodeSymbols } from '@qchain/huffman'
import { decodeByteStream } from './byte-stream.js'
import { ChainError } from './errors.js'

/** Codecs for tensors stored on their own (embeddings, norms, biases, any non-quantized tensor). */
export type PlainCodec = 'plain-half' | 'plain-bytes'

/** 16-bit floats as Huffman-coded byte planes; anything else as Huffman-coded bytes. */
export function encodePlain(bytes: Uint8Array, dtype: string): { codec: PlainCodec; bytes: Uint8Array } {
  if ((dtype === 'F16' || dtype === 'BF16') && bytes.length >= 2) {
    const bits = new Uint16Array(Uint8Array.from(bytes).buffer)
    return { codec: 'plain-half', bytes: encodeAlone({ rows: 1, cols: bits.length, format: dtype === 'F16' ? 'f16' : 'bf16', bits }) }
  }
  return { codec: 'plain-bytes', bytes: encodeSymbols(bytes) }
}

export function decodePlain(codec: string, section: Uint8Array, byteLength: number, where: { level: string; tensor: string }): Uint8Array {
  let bytes: Uint8Array
  if (codec === 'plain-half') {
    const decoded = decodeAlone(section)
    if (!('format' in decoded)) throw new ChainError('corrupt', 'a plain 16-bit stream holds quantized codes', where)
    bytes = new Uint8Array(decoded.bits.buffer, decoded.bits.byteOffset, decoded.bits.byteLength)
  } else if (codec === 'plain-bytes') {
    bytes = decodeByteStream(section, byteLength, where)
  } else {
    throw new ChainError('unsupported', `unknown tensor codec ${JSON.stringify(codec)}`, where)
  }
  if (bytes.length !== byteLength) throw new ChainError('corrupt', `decoded ${bytes.length} bytes, the index says ${byteLength}`, where)
  return bytes
}

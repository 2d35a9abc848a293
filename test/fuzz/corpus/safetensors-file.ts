import { encodeHeader, LENGTH_PREFIX_BYTES, type TensorSpec } from '@qchain/safetensors'
import type { Rng } from '../rng.js'

/** A complete safetensors file: header then each tensor's bytes in file order (random here). */
export function safetensorsBytes(specs: readonly TensorSpec[], rng: Rng, metadata?: Record<string, string>): Uint8Array {
  const header = encodeHeader(specs, metadata)
  const bytes = new Uint8Array(header.bytes.length + header.dataSize)
  bytes.set(header.bytes)
  bytes.set(rng.bytes(header.dataSize), header.bytes.length)
  return bytes
}

/** The header's JSON text and the data after it. */
export function splitFile(bytes: Uint8Array): { json: string; data: Uint8Array } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))
  return { json: new TextDecoder().decode(bytes.subarray(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + length)).trimEnd(), data: bytes.subarray(LENGTH_PREFIX_BYTES + length) }
}

/** A file from JSON text and data, with a correct length prefix and space padding to 8 bytes. */
export function joinFile(json: string, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(json)
  const padded = Math.ceil(text.length / 8) * 8
  const bytes = new Uint8Array(LENGTH_PREFIX_BYTES + padded + data.length).fill(0x20, LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + padded)
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true)
  bytes.set(text, LENGTH_PREFIX_BYTES)
  bytes.set(data, LENGTH_PREFIX_BYTES + padded)
  return bytes
}

/**
 * xxHash32 (seed 0), the checksum of every section, the index and the footer. Measured in
 * Node 20 at ~3 GB/s against ~0.6 GB/s for a slicing-by-8 CRC-32C (docs/FORMAT.md); every
 * step is a bijection of one 32-bit lane, so any change confined to one aligned 4-byte word
 * (in particular any single-byte flip) always changes the result.
 */
const PRIME1 = 2654435761
const PRIME2 = 2246822519
const PRIME3 = 3266489917
const PRIME4 = 668265263
const PRIME5 = 374761393

const rotl = (value: number, bits: number) => (value << bits) | (value >>> (32 - bits))
const round = (lane: number, word: number) => Math.imul(rotl((lane + Math.imul(word, PRIME2)) | 0, 13), PRIME1)

export function xxh32(bytes: Uint8Array): number {
  const length = bytes.length
  const view = new DataView(bytes.buffer, bytes.byteOffset, length)
  let i = 0
  let hash: number
  if (length >= 16) {
    let v1 = (PRIME1 + PRIME2) | 0
    let v2 = PRIME2 | 0
    let v3 = 0
    let v4 = -PRIME1 | 0
    for (const stripesEnd = length - (length % 16); i < stripesEnd; i += 16) {
      v1 = round(v1, view.getUint32(i, true))
      v2 = round(v2, view.getUint32(i + 4, true))
      v3 = round(v3, view.getUint32(i + 8, true))
      v4 = round(v4, view.getUint32(i + 12, true))
    }
    hash = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    hash = PRIME5
  }
  hash = (hash + length) | 0
  for (; i + 4 <= length; i += 4) hash = Math.imul(rotl((hash + Math.imul(view.getUint32(i, true), PRIME3)) | 0, 17), PRIME4)
  for (; i < length; i++) hash = Math.imul(rotl((hash + Math.imul(bytes[i] as number, PRIME5)) | 0, 11), PRIME1)
  hash = Math.imul(hash ^ (hash >>> 15), PRIME2)
  hash = Math.imul(hash ^ (hash >>> 13), PRIME3)
  return (hash ^ (hash >>> 16)) >>> 0
}

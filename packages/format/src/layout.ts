/** Constants of the container layout; docs/FORMAT.md describes every byte. */

/** First and last 8 bytes of every container: 0x89 'QCHAIN' '\n' (the high byte catches 7-bit transfers). */
export const MAGIC = Uint8Array.of(0x89, 0x51, 0x43, 0x48, 0x41, 0x49, 0x4e, 0x0a)
export const FORMAT_VERSION = 1
/** Versions this build reads; a reader refuses any other with a message that lists these. */
export const SUPPORTED_VERSIONS: readonly number[] = [1]

/** magic[8] version:u32 flags:u32 */
export const HEADER_BYTES = 16
/** index_offset:u64 index_length:u64 index_xxh32:u32 flags:u32 version:u32 footer_xxh32:u32 magic[8] */
export const FOOTER_BYTES = 40
/** Sections and the index start at multiples of this, so codecs can view section bytes as 64-bit arrays. */
export const ALIGNMENT = 8

/** Indexes above this are refused before reading them (about a million sections fit). */
export const MAX_INDEX_BYTES = 256 * 1024 * 1024
export const MAX_LEVELS = 64
export const MAX_SECTIONS = 1 << 24
export const MAX_FILES_PER_LEVEL = 1 << 16
export const MAX_TENSORS_PER_LEVEL = 1 << 22
export const MAX_REFS_PER_ENTRY = 1 << 16
export const MAX_RANK = 16

export function alignUp(offset: number): number {
  return Math.ceil(offset / ALIGNMENT) * ALIGNMENT
}

export function hasMagic(bytes: Uint8Array, at: number): boolean {
  return MAGIC.every((byte, i) => bytes[at + i] === byte)
}

import { ALIGNMENT, FOOTER_BYTES, FORMAT_VERSION, HEADER_BYTES, MAGIC, xxh32, type ContainerIndex } from '@qchain/format'

/** A container taken apart, so a mutation can be sealed again with valid checksums and layout. */
export interface ContainerParts {
  header: Uint8Array
  sections: Uint8Array[]
  index: ContainerIndex
}

const align = (offset: number) => Math.ceil(offset / ALIGNMENT) * ALIGNMENT

export function splitContainer(bytes: Uint8Array): ContainerParts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const footer = bytes.length - FOOTER_BYTES
  const indexOffset = Number(view.getBigUint64(footer, true))
  const indexLength = Number(view.getBigUint64(footer + 8, true))
  const index = JSON.parse(new TextDecoder().decode(bytes.subarray(indexOffset, indexOffset + indexLength))) as ContainerIndex
  return {
    header: bytes.slice(0, HEADER_BYTES),
    sections: index.sections.map(({ offset, length }) => bytes.slice(offset, offset + length)),
    index,
  }
}

/** Bytes up to the index (header, sections, padding) followed by `indexText` and a valid footer for it. */
export function sealIndex(prefix: Uint8Array, indexText: string): Uint8Array {
  const index = new TextEncoder().encode(indexText)
  const bytes = new Uint8Array(prefix.length + index.length + FOOTER_BYTES)
  bytes.set(prefix)
  bytes.set(index, prefix.length)
  const at = prefix.length + index.length
  const view = new DataView(bytes.buffer)
  view.setBigUint64(at, BigInt(prefix.length), true)
  view.setBigUint64(at + 8, BigInt(index.length), true)
  view.setUint32(at + 16, xxh32(index), true)
  view.setUint32(at + 24, FORMAT_VERSION, true)
  view.setUint32(at + 28, xxh32(bytes.subarray(at, at + 28)), true)
  bytes.set(MAGIC, at + 32)
  return bytes
}

/** A container with these sections laid out by the format's rules, their offsets, lengths and checksums recomputed. */
export function joinContainer({ header, sections, index }: ContainerParts): Uint8Array {
  let offset = header.length
  const entries = sections.map((section, id) => {
    const entry = { ...index.sections[id], offset, length: section.length, xxh32: xxh32(section) }
    offset = align(offset + section.length)
    return entry
  })
  const prefix = new Uint8Array(offset)
  prefix.set(header)
  for (const [id, section] of sections.entries()) prefix.set(section, entries[id]?.offset as number)
  return sealIndex(prefix, JSON.stringify({ ...index, sections: entries }))
}

/** Bytes before the index, to re-seal a mutated index in place. */
export function prefixOf(bytes: Uint8Array): Uint8Array {
  const footer = bytes.length - FOOTER_BYTES
  return bytes.subarray(0, Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(footer, true)))
}

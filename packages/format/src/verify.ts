import type { ByteSource } from '@qchain/safetensors'
import { FormatError } from './errors.js'
import { checkFileHeader } from './file-header.js'
import type { CheckedIndex } from './index-check.js'
import type { SectionEntry } from './index-schema.js'
import { alignUp, HEADER_BYTES } from './layout.js'
import { runs, sectionDamaged } from './section-read.js'
import { xxh32 } from './xxhash32.js'

export interface VerifyReport {
  sections: number
  /** Bytes read: header, sections and their padding (the index and footer were checked on open). */
  bytes: number
}

/**
 * Reads every byte the open did not: the header, each section (checksum) and the zero
 * padding between sections. With the checks on open, every byte of the file is covered.
 */
export async function verifyContainer(source: ByteSource, version: number, checked: CheckedIndex): Promise<VerifyReport> {
  const file = source.name
  checkFileHeader(await source.slice(0, HEADER_BYTES), version, file)
  const sections = checked.index.sections
  let bytes = HEADER_BYTES
  for (const run of runs(sections, sections.map((_, id) => id))) {
    const start = (sections[run[0] as number] as SectionEntry).offset
    const last = sections[run[run.length - 1] as number] as SectionEntry
    const chunk = await source.slice(start, alignUp(last.offset + last.length))
    bytes += chunk.length
    for (const id of run) {
      const section = sections[id] as SectionEntry
      const at = section.offset - start
      if (xxh32(chunk.subarray(at, at + section.length)) !== section.xxh32) throw sectionDamaged(file, checked, id)
      const padding = chunk.subarray(at + section.length, alignUp(section.offset + section.length) - start)
      if (padding.some((byte) => byte !== 0)) throw new FormatError('bad-padding', `padding after section ${id} is not zero`, { file, field: `section ${id}` })
    }
  }
  return { sections: sections.length, bytes }
}

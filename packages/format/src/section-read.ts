import type { ByteSource } from '@qchain/safetensors'
import { FormatError } from './errors.js'
import type { CheckedIndex } from './index-check.js'
import type { SectionEntry } from './index-schema.js'
import type { SectionSpan } from './section-span.js'
import { xxh32 } from './xxhash32.js'

/** Adjacent sections are fetched together up to this many bytes per ranged read. */
const MAX_COALESCED_BYTES = 64 * 1024 * 1024

/**
 * Reads sections, merging runs of neighbours into one ranged read (few HTTP requests), and
 * verifies each checksum before handing out any bytes. Offsets were checked against the
 * index position when the container was opened, so every range lies inside the source.
 */
export async function readSections(source: ByteSource, checked: CheckedIndex, ids: readonly number[]): Promise<Map<number, Uint8Array>> {
  const sections = checked.index.sections
  const sorted = [...new Set(ids)].sort((a, b) => a - b)
  for (const id of sorted) checkSectionId(source.name, checked, id)
  const out = new Map<number, Uint8Array>()
  for (const run of runs(sections, sorted)) {
    const first = sections[run[0] as number] as SectionEntry
    const last = sections[run[run.length - 1] as number] as SectionEntry
    const bytes = await source.slice(first.offset, last.offset + last.length)
    if (bytes.length !== last.offset + last.length - first.offset) {
      throw new FormatError('truncated', `asked for ${last.offset + last.length - first.offset} bytes at ${first.offset}, got ${bytes.length}`, { file: source.name })
    }
    for (const id of run) {
      const section = sections[id] as SectionEntry
      const part = bytes.subarray(section.offset - first.offset, section.offset - first.offset + section.length)
      if (xxh32(part) !== section.xxh32) throw sectionDamaged(source.name, checked, id)
      out.set(id, part)
    }
  }
  return out
}

/**
 * Where sections lie and what they hash to, so another thread can read and check them itself
 * (see node/section-file.ts): nothing is read here.
 */
export function sectionSpans(file: string, checked: CheckedIndex, ids: readonly number[]): SectionSpan[] {
  return ids.map((id) => {
    const { offset, length, xxh32 } = checkSectionId(file, checked, id)
    return { id, offset, length, xxh32 }
  })
}

function checkSectionId(file: string, checked: CheckedIndex, id: number): SectionEntry {
  const section = Number.isInteger(id) ? checked.index.sections[id] : undefined
  if (section === undefined) throw new FormatError('not-found', `no section ${id}; the container has ${checked.index.sections.length}`, { file, field: `section ${id}` })
  return section
}

/** Groups sorted ids into runs of neighbours: consecutive ids, as the index check made sections tile the file. */
export function runs(sections: readonly SectionEntry[], sorted: readonly number[]): number[][] {
  const groups: number[][] = []
  let start = 0
  for (const id of sorted) {
    const section = sections[id] as SectionEntry
    const current = groups.at(-1)
    if (current && current.at(-1) === id - 1 && section.offset + section.length - start <= MAX_COALESCED_BYTES) {
      current.push(id)
    } else {
      groups.push([id])
      start = section.offset
    }
  }
  return groups
}

export function sectionDamaged(file: string, checked: CheckedIndex, id: number): FormatError {
  const section = checked.index.sections[id] as SectionEntry
  const user = checked.users[id]
  const owner = section.level === null ? 'shared' : `level ${section.level}`
  const usedBy = user?.tensor !== undefined ? `tensor ${user.tensor}` : `file ${user?.file ?? '?'}`
  return new FormatError('section-checksum', `section ${id} (${section.role}, ${owner}, used by ${usedBy} of level ${user?.level ?? '?'}) is damaged: checksum mismatch`, {
    file,
    level: user?.level ?? section.level ?? undefined,
    tensor: user?.tensor,
    field: `section ${id}`,
  })
}

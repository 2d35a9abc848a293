import type { SectionEntry } from '@qchain/format'
import type { ServedRange } from '../server/range-server.js'

/** Ids of the sections a served range shares at least one byte with (padding belongs to none). */
export function sectionsTouched(range: Pick<ServedRange, 'start' | 'end'>, sections: readonly SectionEntry[]): number[] {
  const ids: number[] = []
  sections.forEach((section, id) => {
    if (section.offset < range.end && section.offset + section.length > range.start) ids.push(id)
  })
  return ids
}

/** Whether the union of the ranges holds every byte of the section. */
export function covered(section: SectionEntry, ranges: readonly Pick<ServedRange, 'start' | 'end'>[]): boolean {
  let cursor = section.offset
  const end = section.offset + section.length
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    if (range.start <= cursor && range.end > cursor) cursor = range.end
  }
  return cursor >= end
}

/** Where the index starts: right after the last section, 8-aligned (docs/FORMAT.md). */
export function indexStart(sections: readonly SectionEntry[]): number {
  const last = sections.at(-1)
  return last ? Math.ceil((last.offset + last.length) / 8) * 8 : 16
}

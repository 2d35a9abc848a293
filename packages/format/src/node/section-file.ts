import { readSync } from 'node:fs'
import { FormatError } from '../errors.js'
import { ALIGNMENT } from '../layout.js'
import type { SectionSpan } from '../section-span.js'
import { xxh32 } from '../xxhash32.js'

// Kept free of the index and header validators: codec worker threads load this to read their own sections.

/** One positioned read covers neighbouring sections up to this many bytes. */
const MAX_READ_BYTES = 64 * 1024 * 1024

/**
 * Reads sections of an open container file by descriptor, with positioned reads (so threads of
 * one process can share it), neighbours in one read, and checks every checksum. Returns the bytes
 * in the order of `spans`; views keep their file offset's alignment. `file` names it in errors.
 */
export function readSpansSync(fd: number, file: string, spans: readonly SectionSpan[]): Uint8Array[] {
  const bytes = new Map<number, Uint8Array>()
  for (const run of neighbourRuns(spans)) {
    const first = run[0] as SectionSpan
    const last = run[run.length - 1] as SectionSpan
    const buffer = readRangeSync(fd, file, first.offset, last.offset + last.length - first.offset)
    for (const span of run) {
      const part = buffer.subarray(span.offset - first.offset, span.offset - first.offset + span.length)
      if (xxh32(part) !== span.xxh32) throw new FormatError('section-checksum', `section ${span.id} is damaged: checksum mismatch`, { file, field: `section ${span.id}` })
      bytes.set(span.id, part)
    }
  }
  return spans.map((span) => bytes.get(span.id) as Uint8Array)
}

/** Distinct spans by offset, grouped where only alignment padding lies between them. */
function neighbourRuns(spans: readonly SectionSpan[]): SectionSpan[][] {
  const sorted = [...new Map(spans.map((span) => [span.id, span])).values()].sort((a, b) => a.offset - b.offset)
  const runs: SectionSpan[][] = []
  let end = -Infinity
  for (const span of sorted) {
    const run = runs.at(-1)
    const gap = span.offset - end
    if (run && gap >= 0 && gap < ALIGNMENT && span.offset + span.length - (run[0] as SectionSpan).offset <= MAX_READ_BYTES) run.push(span)
    else runs.push([span])
    end = span.offset + span.length
  }
  return runs
}

/** `length` bytes at `position` of an open file, by positioned reads; a file that ends first is `truncated`. */
export function readRangeSync(fd: number, file: string, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done)
    if (read === 0) throw new FormatError('truncated', `file ended after ${position + done} bytes while reading ${length} at ${position}`, { file })
    done += read
  }
  return buffer
}

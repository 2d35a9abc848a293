import { readSync } from 'node:fs'
import { FormatError } from '../errors.js'
import { ALIGNMENT } from '../layout.js'
import type { SectionSpan } from '../section-span.js'
import { xxh32 } from '../xxhash32.js'

// Kept free of the index and header validators: codec worker threads load this to read their own sections.

/** One positioned read covers neighbouring sections up to this many bytes. */
const MAX_READ_BYTES = 64 * 1024 * 1024

/** Where a read puts its bytes: a new buffer of `length` bytes, or a reused one (see SectionScratch). */
export type ReadSpace = (length: number) => Uint8Array

const freshSpace: ReadSpace = (length) => new Uint8Array(length)

/**
 * Reads sections of an open container file by descriptor, with positioned reads (so threads of
 * one process can share it), neighbours in one read, and checks every checksum. Returns the bytes
 * in the order of `spans`, views of one buffer from `space`; views keep their file offset's
 * alignment. `file` names it in errors.
 */
export function readSpansSync(fd: number, file: string, spans: readonly SectionSpan[], space: ReadSpace = freshSpace): Uint8Array[] {
  const runs = neighbourRuns(spans)
  const lengths = runs.map((run) => (run.at(-1) as SectionSpan).offset + (run.at(-1) as SectionSpan).length - (run[0] as SectionSpan).offset)
  // each run starts at a multiple of ALIGNMENT, as it does in the file
  const buffer = space(lengths.reduce((sum, length) => sum + alignUp(length), 0))
  const bytes = new Map<number, Uint8Array>()
  let at = 0
  for (const [index, run] of runs.entries()) {
    const first = run[0] as SectionSpan
    const length = lengths[index] as number
    readIntoSync(fd, file, buffer.subarray(at, at + length), first.offset)
    for (const span of run) {
      const part = buffer.subarray(at + span.offset - first.offset, at + span.offset - first.offset + span.length)
      if (xxh32(part) !== span.xxh32) throw new FormatError('section-checksum', `section ${span.id} is damaged: checksum mismatch`, { file, field: `section ${span.id}` })
      bytes.set(span.id, part)
    }
    at += alignUp(length)
  }
  return spans.map((span) => bytes.get(span.id) as Uint8Array)
}

const alignUp = (length: number) => Math.ceil(length / ALIGNMENT) * ALIGNMENT

/**
 * One buffer that reads reuse, so a thread reading section after section does not leave each
 * behind for the garbage collector: what `space` returns stays valid until its next call.
 * Buffers above `keepBytes` are not kept.
 */
export class SectionScratch {
  private kept = new Uint8Array(0)

  constructor(private readonly keepBytes: number) {}

  readonly space: ReadSpace = (length) => {
    if (length > this.keepBytes) return new Uint8Array(length)
    if (this.kept.length < length) this.kept = new Uint8Array(Math.min(this.keepBytes, 2 * length))
    return this.kept.subarray(0, length)
  }

  /** Whether `view` lies in the kept buffer (then it must be copied before it outlives the next read). */
  holds(view: ArrayBufferView): boolean {
    return view.buffer === this.kept.buffer
  }
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
  return readIntoSync(fd, file, new Uint8Array(length), position)
}

/** Fills `buffer` from `position` of an open file; a file that ends first is `truncated`. */
export function readIntoSync(fd: number, file: string, buffer: Uint8Array, position: number): Uint8Array {
  const { length } = buffer
  let done = 0
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done)
    if (read === 0) throw new FormatError('truncated', `file ended after ${position + done} bytes while reading ${length} at ${position}`, { file })
    done += read
  }
  return buffer
}

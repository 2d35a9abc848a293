import type { ByteSource } from './range-source.js'

interface Chunk {
  start: number
  bytes: Uint8Array
}

/**
 * Keeps every byte range read through it, and reads from `inner` only the gaps a slice is
 * missing. An upgrade re-decodes its ancestors' sections; with this it never downloads them
 * again. What is kept is the compressed container bytes, not rebuilt levels.
 */
export function cachedSource(inner: ByteSource): ByteSource {
  const chunks: Chunk[] = [] // sorted by start, never overlapping
  // Slices run one at a time, so two concurrent reads never fetch the same gap twice.
  let queue: Promise<unknown> = Promise.resolve()

  async function fill(start: number, end: number): Promise<void> {
    for (const [gapStart, gapEnd] of gaps(chunks, start, end)) {
      const bytes = await inner.slice(gapStart, gapEnd)
      const at = chunks.findIndex((chunk) => chunk.start > gapStart)
      chunks.splice(at === -1 ? chunks.length : at, 0, { start: gapStart, bytes })
    }
  }

  return {
    name: inner.name,
    size: inner.size,
    slice(start, end) {
      const result = queue.then(async () => {
        if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > inner.size) {
          return inner.slice(start, end) // let the inner source raise its own typed error
        }
        await fill(start, end)
        return assemble(chunks, start, end)
      })
      queue = result.catch(() => undefined)
      return result
    },
  }
}

/** The parts of [start, end) no chunk covers. */
export function gaps(chunks: readonly Chunk[], start: number, end: number): [number, number][] {
  const missing: [number, number][] = []
  let cursor = start
  for (const chunk of chunks) {
    const chunkEnd = chunk.start + chunk.bytes.length
    if (chunkEnd <= cursor) continue
    if (chunk.start >= end) break
    if (chunk.start > cursor) missing.push([cursor, chunk.start])
    cursor = Math.max(cursor, chunkEnd)
    if (cursor >= end) break
  }
  if (cursor < end) missing.push([cursor, end])
  return missing
}

/** [start, end) from chunks that cover it: a view when one chunk holds it all, else a copy. */
function assemble(chunks: readonly Chunk[], start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start)
  for (const chunk of chunks) {
    const chunkEnd = chunk.start + chunk.bytes.length
    if (chunkEnd <= start || chunk.start >= end) continue
    if (chunk.start <= start && chunkEnd >= end) return chunk.bytes.subarray(start - chunk.start, end - chunk.start)
    const from = Math.max(start, chunk.start)
    const to = Math.min(end, chunkEnd)
    out.set(chunk.bytes.subarray(from - chunk.start, to - chunk.start), from - start)
  }
  return out
}

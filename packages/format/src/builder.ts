import type { ErrorContext } from '@qchain/errors'
import type { z } from 'zod'
import { levelAncestry } from './ancestry.js'
import { FormatError } from './errors.js'
import { encodeFileHeader } from './file-header.js'
import { isSafeFileName } from './file-name.js'
import { encodeFooter } from './footer.js'
import { encodeIndex } from './index-codec.js'
import { checkIndex } from './index-check.js'
import { fileSchema, indexSchema, LEVEL_NAME, ROLE, tensorSchema, type ContainerIndex, type FileEntry, type LevelEntry, type SectionEntry, type TensorEntry } from './index-schema.js'
import { alignUp, FOOTER_BYTES, HEADER_BYTES, MAX_INDEX_BYTES, MAX_SECTIONS } from './layout.js'
import { sha256Hex } from './sha256.js'
import { WriteBehind, type PositionedSink } from './write-behind.js'
import { xxh32 } from './xxhash32.js'

/** Where the bytes go: a file, or memory. Writes never overlap and may run concurrently. */
export type ContainerSink = PositionedSink

export interface LevelSpec {
  name: string
  /** null for the base level. */
  parent: string | null
}

export interface WriterOptions {
  /** The chain, fixed up front: exactly one base, every parent listed. */
  levels: readonly LevelSpec[]
  metadata?: Record<string, string>
}

export interface SectionMeta {
  role: string
  /** The level that owns it, or null for a section any level may use (shared tensors). */
  level: string | null
}

/** A file of a level that the codecs rebuild from its tensors (a safetensors file, a shard). */
export interface RebuiltFileInput {
  name: string
  size: number
  sha256: string
  /** Sections the rebuild needs besides the tensors', e.g. the original header bytes. */
  sections?: number[]
}

export type TensorInput = Omit<TensorEntry, 'given' | 'params'> & Partial<Pick<TensorEntry, 'given' | 'params'>>

export interface ContainerWriter {
  /**
   * Places opaque encoded bytes at the next offset and resolves to their id (what files and tensors
   * refer to) while up to 64 MiB still wait to be written, so the caller can go on: leave `bytes`
   * unchanged. A failed write rejects a later call, or finish().
   */
  addSection(bytes: Uint8Array, meta: SectionMeta): Promise<number>
  /** A small file stored verbatim; identical bytes in several levels are stored once. */
  addFile(level: string, name: string, bytes: Uint8Array): Promise<void>
  addRebuiltFile(level: string, file: RebuiltFileInput): void
  addTensor(level: string, tensor: TensorInput): void
}

export interface FinishedContainer {
  index: ContainerIndex
  size: number
}

/**
 * The writing logic shared by the file and memory writers: sections are placed at once at
 * the next aligned offset, only the index stays in memory, and finish() checks the index
 * with the reader's own checks before writing it and the footer.
 */
export function createBuilder(sink: ContainerSink, file: string, options: WriterOptions): ContainerWriter & { finish(): Promise<FinishedContainer> } {
  const levels = checkLevels(options.levels, file)
  const metadata = parseInput(indexSchema.shape.metadata, options.metadata ?? {}, { file, field: 'metadata' })
  const sections: SectionEntry[] = []
  const verbatim = new Map<string, Promise<number>>()
  const pending = new Set<Promise<unknown>>()
  let failure: unknown
  let closed = false
  let next = HEADER_BYTES
  const behind = new WriteBehind(sink)

  const track = <T>(task: Promise<T>): Promise<T> => {
    pending.add(task)
    task.then(
      () => pending.delete(task),
      (error: unknown) => {
        pending.delete(task)
        failure ??= error
      },
    )
    return task
  }
  /** The level being added to, after checking the writer is still open. */
  const levelFor = (level: string | null) => {
    if (closed) throw new FormatError('writer-closed', 'finish() was already called', { file })
    if (level === null) return undefined
    const found = levels.get(level)
    if (!found) throw new FormatError('invalid-entry', `no such level; the chain has ${[...levels.keys()].join(', ')}`, { file, level })
    return found
  }
  /** Places the bytes at the next aligned offset; also used for verbatim files hashed after finish() began. */
  const appendSection = (bytes: Uint8Array, meta: SectionMeta): Promise<number> => {
    if (sections.length >= MAX_SECTIONS) return Promise.reject(new FormatError('invalid-entry', `more than ${MAX_SECTIONS} sections`, { file }))
    const id = sections.length
    const offset = next
    sections.push({ offset, length: bytes.length, xxh32: xxh32(bytes), role: meta.role, level: meta.level })
    next = alignUp(offset + bytes.length)
    return behind.write(offset, bytes).then(() => id)
  }

  // A failed header write is kept by `behind` and thrown by finish().
  behind.write(0, encodeFileHeader()).catch(() => {})
  return {
    addSection(bytes, meta) {
      try {
        levelFor(meta.level)
        if (!ROLE.test(meta.role)) throw new FormatError('invalid-entry', `role ${JSON.stringify(meta.role)} must match ${ROLE}`, { file, field: 'role' })
      } catch (error) {
        return Promise.reject(error)
      }
      return appendSection(bytes, meta)
    },
    addFile(level, name, bytes) {
      let files: FileEntry[]
      try {
        files = (levelFor(level) as LevelEntry).files
        if (!isSafeFileName(name)) throw new FormatError('invalid-entry', 'file name must be a relative path without empty, . or .. parts', { file, level, field: `file ${name}` })
      } catch (error) {
        return Promise.reject(error)
      }
      const entry: FileEntry = { name, kind: 'verbatim', size: bytes.length, sha256: '', sections: [] }
      files.push(entry) // in call order, filled in once hashed
      return track((async () => {
        entry.sha256 = await sha256Hex(bytes)
        let id = verbatim.get(entry.sha256)
        if (id === undefined) {
          id = appendSection(bytes, { role: 'file', level: null })
          verbatim.set(entry.sha256, id)
        }
        entry.sections = [await id]
      })())
    },
    addRebuiltFile(level, input) {
      const found = levelFor(level) as LevelEntry
      const entry = { name: input.name, kind: 'tensors' as const, size: input.size, sha256: input.sha256, sections: input.sections ?? [] }
      found.files.push(parseInput(fileSchema, entry, { file, level, field: `file ${input.name}` }))
    },
    addTensor(level, input) {
      const found = levelFor(level) as LevelEntry
      const entry = { ...input, given: input.given ?? [], params: input.params ?? {} }
      found.tensors.push(parseInput(tensorSchema, entry, { file, level, tensor: input.name }))
    },
    async finish() {
      if (closed) throw new FormatError('writer-closed', 'finish() was already called', { file })
      closed = true
      await Promise.allSettled([...pending])
      if (failure !== undefined) throw failure
      await behind.flush()
      const index: ContainerIndex = { levels: [...levels.values()], sections, metadata }
      try {
        checkIndex(index, next, file)
      } catch (error) {
        throw asUsageError(error)
      }
      const bytes = encodeIndex(index)
      if (bytes.length > MAX_INDEX_BYTES) throw new FormatError('invalid-entry', `index of ${bytes.length} bytes exceeds the ${MAX_INDEX_BYTES}-byte cap`, { file })
      await sink.write(next, bytes)
      await sink.write(next + bytes.length, encodeFooter(next, bytes.length, xxh32(bytes)))
      return { index, size: next + bytes.length + FOOTER_BYTES }
    },
  }
}

function checkLevels(specs: readonly LevelSpec[], file: string): Map<string, LevelEntry> {
  for (const spec of specs) {
    if (!LEVEL_NAME.test(spec.name)) throw new FormatError('invalid-entry', `level name must match ${LEVEL_NAME}`, { file, level: spec.name })
  }
  try {
    levelAncestry(specs, file)
  } catch (error) {
    throw asUsageError(error)
  }
  return new Map(specs.map((spec) => [spec.name, { name: spec.name, parent: spec.parent, files: [], tensors: [] }]))
}

function parseInput<T>(schema: z.ZodType<T>, value: unknown, context: ErrorContext): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new FormatError('invalid-entry', `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`, context)
}

/** The reader's index checks, rethrown as the caller's mistake when the writer runs them. */
function asUsageError(error: unknown): unknown {
  return error instanceof FormatError ? new FormatError('invalid-entry', error.detail, error.context) : error
}

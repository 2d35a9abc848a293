import { byteLength, isDtype } from '@qchain/safetensors'
import { levelAncestry } from './ancestry.js'
import { FormatError } from './errors.js'
import type { ContainerIndex, FileEntry, LevelEntry, SectionEntry, TensorEntry } from './index-schema.js'
import { alignUp, HEADER_BYTES } from './layout.js'

export interface CheckedLevel {
  entry: LevelEntry
  /** The level, its parent, ... up to the base. */
  chain: readonly string[]
  files: ReadonlyMap<string, FileEntry>
  tensors: ReadonlyMap<string, TensorEntry>
}

/** Who first refers to a section, so an error about its bytes can name a level and tensor or file. */
export interface SectionUser {
  level: string
  tensor?: string
  file?: string
}

export interface CheckedIndex {
  index: ContainerIndex
  levels: ReadonlyMap<string, CheckedLevel>
  users: readonly SectionUser[]
}

/**
 * Consistency checks beyond the schema, shared by the reader (on every open) and the
 * writer (before it writes the index), so a writer never produces what a reader refuses.
 * `indexOffset` is where the index starts: sections must tile the bytes before it.
 */
export function checkIndex(index: ContainerIndex, indexOffset: number, file: string): CheckedIndex {
  const chains = levelAncestry(index.levels, file)
  checkSectionLayout(index.sections, indexOffset, file)
  for (const [id, section] of index.sections.entries()) {
    if (section.level !== null && !chains.has(section.level)) {
      throw new FormatError('invalid-index', `section ${id} belongs to level ${JSON.stringify(section.level)}, which does not exist`, { file, field: `section ${id}` })
    }
  }
  const users: (SectionUser | undefined)[] = new Array(index.sections.length)
  const levels = new Map<string, CheckedLevel>()
  for (const entry of index.levels) {
    const chain = chains.get(entry.name) as string[]
    const refs = { sections: index.sections, chain, file, users }
    const files = new Map<string, FileEntry>()
    for (const fileEntry of entry.files) {
      const context = { file, level: entry.name, field: `file ${fileEntry.name}` }
      if (files.has(fileEntry.name)) throw new FormatError('invalid-index', 'file listed twice', context)
      checkSectionRefs(fileEntry.sections, { level: entry.name, file: fileEntry.name }, refs)
      if (fileEntry.kind === 'verbatim') {
        const stored = fileEntry.sections.reduce((sum, id) => sum + (index.sections[id] as SectionEntry).length, 0)
        if (stored !== fileEntry.size) throw new FormatError('invalid-index', `verbatim file of ${fileEntry.size} bytes has ${stored} bytes of sections`, context)
      }
      files.set(fileEntry.name, fileEntry)
    }
    const tensors = new Map<string, TensorEntry>()
    for (const tensor of entry.tensors) {
      checkTensor(tensor, entry, files, tensors, file)
      checkSectionRefs(tensor.sections, { level: entry.name, tensor: tensor.name }, refs)
      tensors.set(tensor.name, tensor)
    }
    levels.set(entry.name, { entry, chain, files, tensors })
  }
  checkGiven(levels, file)
  const unused = users.findIndex((user) => user === undefined)
  if (unused !== -1) throw new FormatError('invalid-index', `section ${unused} is used by no file or tensor`, { file, field: 'sections' })
  return { index, levels, users: users as SectionUser[] }
}

/** Sections tile the file from the header to the index, in order, each at the next aligned offset. */
function checkSectionLayout(sections: readonly SectionEntry[], indexOffset: number, file: string): void {
  let next = HEADER_BYTES
  for (const [id, section] of sections.entries()) {
    if (section.offset !== next) {
      throw new FormatError('invalid-index', `section ${id} starts at ${section.offset}, expected ${next} (sections follow each other, aligned)`, { file, field: `section ${id}` })
    }
    next = alignUp(section.offset + section.length)
    if (next > indexOffset) {
      throw new FormatError('invalid-index', `section ${id} [${section.offset}, ${section.offset + section.length}) runs into the index at ${indexOffset}`, { file, field: `section ${id}` })
    }
  }
  if (next !== indexOffset) throw new FormatError('invalid-index', `the index starts at ${indexOffset}, expected ${next} after the last section`, { file, field: 'footer' })
}

interface RefContext {
  sections: readonly SectionEntry[]
  chain: readonly string[]
  file: string
  users: (SectionUser | undefined)[]
}

/**
 * A level may use its own sections, its ancestors' and shared ones, never a descendant's or
 * a sibling's: that is what lets a reader fetch one level without the levels built on it.
 */
export function checkSectionRefs(ids: readonly number[], user: SectionUser, refs: RefContext): void {
  const seen = new Set<number>()
  for (const id of ids) {
    const context = { file: refs.file, level: user.level, tensor: user.tensor, field: user.file === undefined ? `section ${id}` : `file ${user.file}, section ${id}` }
    const section = refs.sections[id]
    if (section === undefined) throw new FormatError('invalid-index', `section ${id} does not exist (${refs.sections.length} sections)`, context)
    if (seen.has(id)) throw new FormatError('invalid-index', `section ${id} listed twice`, context)
    seen.add(id)
    if (section.level !== null && !refs.chain.includes(section.level)) {
      throw new FormatError('invalid-index', `section ${id} belongs to level ${JSON.stringify(section.level)}, which is not this level or an ancestor`, context)
    }
    refs.users[id] ??= user
  }
}

function checkTensor(tensor: TensorEntry, level: LevelEntry, files: ReadonlyMap<string, FileEntry>, seen: ReadonlyMap<string, TensorEntry>, file: string): void {
  const context = { file, level: level.name, tensor: tensor.name }
  if (seen.has(tensor.name)) throw new FormatError('invalid-index', 'tensor listed twice in this level', context)
  if (!isDtype(tensor.dtype)) throw new FormatError('invalid-index', `unknown dtype ${JSON.stringify(tensor.dtype)}`, { ...context, field: 'dtype' })
  if (byteLength(tensor.shape, tensor.dtype) === undefined) throw new FormatError('invalid-index', `shape [${tensor.shape.join(', ')}] is too large`, { ...context, field: 'shape' })
  if (files.get(tensor.file)?.kind !== 'tensors') {
    throw new FormatError('invalid-index', `file ${JSON.stringify(tensor.file)} is not a tensor file of this level`, { ...context, field: 'file' })
  }
  if (tensor.given.length > 0 && level.parent === null) throw new FormatError('invalid-index', 'the base level cannot be coded given a parent', { ...context, field: 'given' })
}

function checkGiven(levels: ReadonlyMap<string, CheckedLevel>, file: string): void {
  for (const { entry, tensors } of levels.values()) {
    const parent = entry.parent === null ? undefined : levels.get(entry.parent)
    for (const tensor of tensors.values()) {
      if (new Set(tensor.given).size !== tensor.given.length) throw new FormatError('invalid-index', 'a parent tensor is listed twice', { file, level: entry.name, tensor: tensor.name, field: 'given' })
      for (const name of tensor.given) {
        if (!parent?.tensors.has(name)) {
          throw new FormatError('invalid-index', `given tensor ${JSON.stringify(name)} is not in parent level ${JSON.stringify(entry.parent)}`, { file, level: entry.name, tensor: tensor.name, field: 'given' })
        }
      }
    }
  }
}

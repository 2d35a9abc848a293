import type { ByteSource } from '@qchain/safetensors'
import { FormatError } from './errors.js'
import { parseFooter } from './footer.js'
import { decodeIndex } from './index-codec.js'
import type { CheckedIndex } from './index-check.js'
import type { ContainerIndex, FileEntry, TensorEntry } from './index-schema.js'
import { FOOTER_BYTES, HEADER_BYTES } from './layout.js'
import { findLevel, planLevel, planTensor, type ReadPlan } from './plan.js'
import { readSections, sectionDamaged, sectionSpans } from './section-read.js'
import type { SectionSpan } from './section-span.js'
import { sha256Hex } from './sha256.js'
import { verifyContainer, type VerifyReport } from './verify.js'

export interface Container {
  readonly source: ByteSource
  readonly version: number
  readonly index: ContainerIndex
  /** Level names in index order. */
  readonly levels: readonly string[]
  /** The level, its parent, ... up to the base. */
  chain(level: string): readonly string[]
  files(level: string): ReadonlyMap<string, FileEntry>
  tensors(level: string): ReadonlyMap<string, TensorEntry>
  tensor(level: string, name: string): TensorEntry
  planLevel(level: string): ReadPlan
  planTensor(level: string, tensor: string): ReadPlan
  /** One section's bytes, checksum verified. */
  readSection(id: number): Promise<Uint8Array>
  /** Several sections, adjacent ones fetched in one ranged read; each checksum verified. */
  readSections(ids: readonly number[]): Promise<Map<number, Uint8Array>>
  /** Where sections lie and their checksums, for a reader of the same file elsewhere (a worker thread); reads nothing. */
  sectionSpans(ids: readonly number[]): SectionSpan[]
  /** The error for a damaged section, naming its role, level and user: for checks made elsewhere. */
  damagedSection(id: number): FormatError
  /** A verbatim file's original bytes, size and SHA-256 verified. */
  readFile(level: string, name: string): Promise<Uint8Array>
  /** Reads the whole file once: header, every section, the padding; throws on the first damage. */
  verify(): Promise<VerifyReport>
}

/**
 * Opens a container over any byte source with two ranged reads, the footer then exactly the
 * index, so no section byte is fetched until asked for. Every offset, length and count is
 * checked against the source size and the caps before anything is allocated from it.
 */
export async function openContainer(source: ByteSource): Promise<Container> {
  const file = source.name
  if (source.size < HEADER_BYTES + FOOTER_BYTES) {
    throw new FormatError('truncated', `${source.size} bytes cannot hold the ${HEADER_BYTES}-byte header and ${FOOTER_BYTES}-byte footer`, { file })
  }
  const footer = parseFooter(await source.slice(source.size - FOOTER_BYTES, source.size), source.size, file)
  const indexBytes = await source.slice(footer.indexOffset, footer.indexOffset + footer.indexLength)
  const checked = decodeIndex(indexBytes, footer, file)
  return containerOver(source, footer.version, checked)
}

function containerOver(source: ByteSource, version: number, checked: CheckedIndex): Container {
  const file = source.name
  const read = (ids: readonly number[]) => readSections(source, checked, ids)
  return {
    source,
    version,
    index: checked.index,
    levels: [...checked.levels.keys()],
    chain: (level) => findLevel(checked, level, file).chain,
    files: (level) => findLevel(checked, level, file).files,
    tensors: (level) => findLevel(checked, level, file).tensors,
    tensor(level, name) {
      const tensor = findLevel(checked, level, file).tensors.get(name)
      if (!tensor) throw new FormatError('not-found', 'no such tensor in this level', { file, level, tensor: name })
      return tensor
    },
    planLevel: (level) => planLevel(checked, level, file),
    planTensor: (level, tensor) => planTensor(checked, level, tensor, file),
    readSection: async (id) => (await read([id])).get(id) as Uint8Array,
    readSections: read,
    sectionSpans: (ids) => sectionSpans(file, checked, ids),
    damagedSection: (id) => sectionDamaged(file, checked, id),
    async readFile(level, name) {
      const entry = findLevel(checked, level, file).files.get(name)
      const context = { file, level, field: `file ${name}` }
      if (entry?.kind !== 'verbatim') throw new FormatError('not-found', entry ? 'a tensor file is rebuilt by the codecs, not stored verbatim' : 'no such file in this level', context)
      const parts = await read(entry.sections)
      const bytes = new Uint8Array(entry.size)
      let at = 0
      for (const id of entry.sections) {
        const part = parts.get(id) as Uint8Array
        bytes.set(part, at)
        at += part.length
      }
      if (await sha256Hex(bytes) !== entry.sha256) throw new FormatError('file-checksum', 'SHA-256 of the stored bytes differs from the original file', context)
      return bytes
    },
    verify: () => verifyContainer(source, version, checked),
  }
}

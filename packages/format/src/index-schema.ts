import { z } from 'zod'
import { isSafeFileName } from './file-name.js'
import { MAX_FILES_PER_LEVEL, MAX_LEVELS, MAX_RANK, MAX_REFS_PER_ENTRY, MAX_SECTIONS, MAX_TENSORS_PER_LEVEL } from './layout.js'

/** '4', '8', '16', 'int8': short, and safe in file names and messages. */
export const LEVEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/
/** 'residual', 'table', 'side', 'file', 'header': what a section holds, for people and tools. */
export const ROLE = /^[a-z][a-z0-9-]{0,31}$/
/** Codec identifiers chosen by the codec layer, e.g. 'huffman-8' or 'residual-16|8'. */
export const CODEC = /^[A-Za-z0-9][A-Za-z0-9._|:+-]{0,63}$/
export const SHA256_HEX = /^[0-9a-f]{64}$/

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const sectionId = z.number().int().nonnegative().max(MAX_SECTIONS - 1)
const levelName = z.string().regex(LEVEL_NAME)
const sha256 = z.string().regex(SHA256_HEX)
const fileName = z.string().max(1024).refine(isSafeFileName, 'must be a relative path without empty, . or .. parts')
const refs = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_REFS_PER_ENTRY)

export const sectionSchema = z.strictObject({
  offset: count,
  length: count,
  xxh32: z.number().int().nonnegative().max(0xffffffff),
  role: z.string().regex(ROLE),
  /** The level that owns it, or null for a shared section any level may use. */
  level: levelName.nullable(),
})

export const fileSchema = z.strictObject({
  name: fileName,
  /** verbatim: the bytes are its sections concatenated; tensors: rebuilt from the level's tensors. */
  kind: z.enum(['verbatim', 'tensors']),
  size: count,
  sha256,
  sections: refs(sectionId),
})

export const tensorSchema = z.strictObject({
  name: z.string().min(1).max(1024),
  /** The 'tensors' file of this level it belongs to. */
  file: fileName,
  dtype: z.string(),
  shape: z.array(count).max(MAX_RANK),
  codec: z.string().regex(CODEC),
  /** Sections the codec reads: the level's own, an ancestor's, or shared ones. */
  sections: refs(sectionId),
  /** Tensors of the parent level this one is coded given. */
  given: refs(z.string().min(1).max(1024)),
  /** Small codec settings (bits, group size...), opaque to the container. */
  params: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])),
  /** Of the tensor's bytes as stored in the original checkpoint. */
  sha256,
})

export const levelSchema = z.strictObject({
  name: levelName,
  parent: levelName.nullable(),
  files: z.array(fileSchema).max(MAX_FILES_PER_LEVEL),
  tensors: z.array(tensorSchema).max(MAX_TENSORS_PER_LEVEL),
})

export const indexSchema = z.strictObject({
  levels: z.array(levelSchema).min(1).max(MAX_LEVELS),
  sections: z.array(sectionSchema).max(MAX_SECTIONS),
  metadata: z.record(z.string().max(256), z.string().max(64 * 1024)),
})

export type SectionEntry = z.infer<typeof sectionSchema>
export type FileEntry = z.infer<typeof fileSchema>
export type TensorEntry = z.infer<typeof tensorSchema>
export type LevelEntry = z.infer<typeof levelSchema>
export type ContainerIndex = z.infer<typeof indexSchema>

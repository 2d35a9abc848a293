export { FormatError, type FormatProblem } from './errors.js'
export { ALIGNMENT, FOOTER_BYTES, FORMAT_VERSION, HEADER_BYTES, MAGIC, MAX_INDEX_BYTES, SUPPORTED_VERSIONS } from './layout.js'
export { xxh32 } from './xxhash32.js'
export { sha256Hex } from './sha256.js'
export type { ContainerIndex, FileEntry, LevelEntry, SectionEntry, TensorEntry } from './index-schema.js'
export { openContainer, type Container } from './reader.js'
export type { ReadPlan } from './plan.js'
export type { SectionSpan } from './section-span.js'
export type { VerifyReport } from './verify.js'
export {
  type ContainerWriter,
  type FinishedContainer,
  type LevelSpec,
  type RebuiltFileInput,
  type SectionMeta,
  type TensorInput,
  type WriterOptions,
} from './builder.js'
export { createMemoryWriter } from './memory-writer.js'
export { WRITE_BEHIND_BYTES, WriteBehind, type PositionedSink } from './write-behind.js'

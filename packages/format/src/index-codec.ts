import { FormatError } from './errors.js'
import type { Footer } from './footer.js'
import { checkIndex, type CheckedIndex } from './index-check.js'
import { indexSchema, type ContainerIndex } from './index-schema.js'
import { xxh32 } from './xxhash32.js'

export function encodeIndex(index: ContainerIndex): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(index))
}

/** Checksum first, so a damaged index is reported as damage rather than as bad JSON. */
export function decodeIndex(bytes: Uint8Array, footer: Footer, file: string): CheckedIndex {
  const context = { file, field: 'index' }
  if (xxh32(bytes) !== footer.indexChecksum) throw new FormatError('index-checksum', 'index checksum mismatch: the index is damaged', context)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (error) {
    throw new FormatError('invalid-index', `index is not valid UTF-8 JSON: ${(error as Error).message}`, context)
  }
  const parsed = indexSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new FormatError('invalid-index', `${issue?.message ?? 'invalid'} at ${issue?.path.join('.') || 'the top level'}`, context)
  }
  return checkIndex(parsed.data, footer.indexOffset, file)
}

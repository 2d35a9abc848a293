import { createHash } from 'node:crypto'
import type { ReadSpace } from '@qchain/format/section-file'
import { ChainError } from '../errors.js'
import { encodeMatrix, matrixPartBytes } from '../matrix-codecs.js'
import { encodePlain } from '../plain-codecs.js'
import { matrixValue, readParts, type FileRange, type RawMatrix } from './matrix-source.js'

/** One tensor's or matrix's encode, self-contained so it can run in a worker. */
export type EncodeJob =
  | { kind: 'plain'; bytes: Uint8Array; dtype: string }
  | {
      kind: 'matrix'
      prefix: string
      /** The matrix's stored parts (read here when given as file ranges): unpacked here, checked against their packing, and hashed. */
      matrix: RawMatrix<Uint8Array | FileRange> & { level: string; dir: string }
      parent?: RawMatrix<Uint8Array | FileRange> & { level: string; dir: string }
    }

export interface EncodedJob {
  codec: string
  sections: { role: string; bytes: Uint8Array }[]
  /** SHA-256 of each stored part, in order (empty for a plain tensor: the caller hashed it to deduplicate). */
  sha256: string[]
  /** The matrix shape (0 for a plain tensor). */
  rows: number
  cols: number
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Runs a job; `space` gives the buffer its stored parts are read into (see readParts): never one its sections share. */
export function runEncodeJob(job: EncodeJob, space?: ReadSpace): EncodedJob {
  if (job.kind === 'plain') {
    const plain = encodePlain(job.bytes, job.dtype)
    return { codec: plain.codec, sections: [{ role: 'payload', bytes: plain.bytes }], sha256: [], rows: 0, cols: 0 }
  }
  const { prefix } = job
  // the matrix and its parent read together: one buffer, so `space` may be a kept one
  const read = readParts(job.parent ? [job.matrix, job.parent] : [job.matrix], space)
  const matrix = read[0] as (typeof read)[number]
  const parent = read[1]
  const value = matrixValue(matrix, { file: matrix.dir, level: matrix.level, tensor: prefix })
  const parentValue = parent && matrixValue(parent, { file: parent.dir, level: parent.level, tensor: prefix })
  const encoded = encodeMatrix(value, parentValue, { level: matrix.level, tensor: prefix })
  for (const { part, bytes } of matrix.parts) {
    // The rebuild packs codes the way AutoGPTQ does; refuse a checkpoint whose bytes that would not reproduce.
    if (Buffer.compare(matrixPartBytes(value, part, matrix.gptq), bytes) !== 0) {
      throw new ChainError('unsupported', 'packing the decoded codes does not reproduce this tensor byte for byte', { file: matrix.dir, level: matrix.level, tensor: `${prefix}.${part}` })
    }
  }
  return { codec: encoded.codec, sections: encoded.sections, sha256: matrix.parts.map(({ bytes }) => sha256(bytes)), rows: value.value.rows, cols: value.value.cols }
}

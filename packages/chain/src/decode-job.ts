import type { CheckpointFormat } from '@qchain/gptq/pack'
import type { TensorEntry } from '@qchain/format'
import { ChainError } from './errors.js'
import { decodeMatrix, matrixPartBytes } from './matrix-codecs.js'
import type { MatrixPart, MatrixValue } from './matrix.js'
import { decodePlain } from './plain-codecs.js'

/** One tensor the job gives back: its name, its byte length from the index, and for a matrix which part. */
export interface JobOutput {
  tensor: string
  byteLength: number
  part?: MatrixPart
  gptq?: { bits: number; format: CheckpointFormat }
}

/** A coded matrix of one level on the way from the base to the requested level; `S` is how its sections come (bytes, or where to read them). */
export interface DecodeStep<S = Uint8Array> {
  level: string
  tensor: string
  codec: string
  sections: S[]
  rows: number
  cols: number
}

/**
 * Everything one decode needs, section bytes included, so it runs anywhere (inline or in a
 * worker): a plain tensor, or every part of one matrix of a level (decoded once for all).
 * With `S` = SectionSpan it says where the bytes lie instead, for a worker that reads them itself.
 */
export type DecodeJob<S = Uint8Array> =
  | { kind: 'plain'; level: string; codec: string; sections: S[]; sliceBytes: number; output: JobOutput }
  | { kind: 'matrix'; level: string; steps: DecodeStep<S>[]; outputs: JobOutput[] }

/** Tensors that come from the same job share its key: the parts of one matrix. */
export function jobKey(entry: TensorEntry): string {
  return entry.params.part === undefined ? `tensor\u0000${entry.name}` : `matrix\u0000${String(entry.params.prefix)}`
}

/** The tensors a job gives back, in the order of its decoded bytes. */
export function outputsOf(job: DecodeJob<unknown>): JobOutput[] {
  return job.kind === 'plain' ? [job.output] : job.outputs
}

/** A job's decoded bytes by tensor name. */
export function jobOutputs(job: DecodeJob<unknown>, bytes: readonly Uint8Array[]): Map<string, Uint8Array> {
  return new Map(outputsOf(job).map((output, index) => [output.tensor, bytes[index] as Uint8Array]))
}

/** Decodes a job; returns one byte array per output, in order, each its tensor's bytes as stored. */
export function runDecodeJob(job: DecodeJob): Uint8Array[] {
  if (job.kind === 'plain') {
    const where = { level: job.level, tensor: job.output.tensor }
    return [decodePlain(job.codec, job.sections, job.output.byteLength, job.sliceBytes, where)]
  }
  let value: MatrixValue | undefined
  for (const step of job.steps) {
    // The last step's 16-bit weights land in one buffer sized by the (already checked) parent.
    const into = step.codec === 'half-given' && value ? new Uint16Array(value.value.rows * value.value.cols) : undefined
    value = decodeMatrix(step.codec, step.sections, value, { rows: step.rows, cols: step.cols }, { level: step.level, tensor: step.tensor }, into)
  }
  const matrix = value as MatrixValue
  return job.outputs.map((output) => {
    const where = { level: job.level, tensor: output.tensor }
    const bytes = matrixPartBytes(matrix, output.part as MatrixPart, output.gptq, where)
    if (bytes.length !== output.byteLength) throw new ChainError('corrupt', `rebuilt ${bytes.length} bytes, the index says ${output.byteLength}`, where)
    return bytes
  })
}

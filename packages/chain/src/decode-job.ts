import { ConditionalError, type RowBand } from '@qchain/conditional'
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
 * A 16-bit matrix's job may be cut into bands of rows (`rows`, see row-bands.ts): its one output
 * is then those rows' bytes.
 */
export type DecodeJob<S = Uint8Array> =
  | { kind: 'plain'; level: string; codec: string; sections: S[]; sliceBytes: number; output: JobOutput }
  | { kind: 'matrix'; level: string; steps: DecodeStep<S>[]; outputs: JobOutput[]; rows?: RowBand }

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
  const matrix = job.rows ? decodeBand(job.steps, job.rows) : decodeSteps(job.steps)
  return job.outputs.map((output) => {
    const where = { level: job.level, tensor: output.tensor }
    const bytes = matrixPartBytes(matrix, output.part as MatrixPart, output.gptq, where)
    if (bytes.length !== output.byteLength) throw new ChainError('corrupt', `rebuilt ${bytes.length} bytes, the index says ${output.byteLength}`, where)
    return bytes
  })
}

/** Decodes a matrix from the base up, or only the rows of `band`. */
function decodeSteps(steps: readonly DecodeStep[], band?: RowBand): MatrixValue {
  let value: MatrixValue | undefined
  for (const step of steps) {
    // The last step's 16-bit weights land in one buffer sized by the (already checked) parent.
    const rows = band ? band.end - band.first : step.rows
    const into = step.codec === 'half-given' && value ? new Uint16Array(rows * value.value.cols) : undefined
    value = decodeMatrix(step.codec, step.sections, value, { rows: step.rows, cols: step.cols }, { level: step.level, tensor: step.tensor }, into, band)
  }
  return value as MatrixValue
}

/**
 * A band of a 16-bit matrix's rows: decoded apart where every stream allows it, else (streams
 * not cut in slabs there, which qchain's encoder does not write) cut from a whole decode.
 */
function decodeBand(steps: readonly DecodeStep[], band: RowBand): MatrixValue {
  const last = steps[steps.length - 1] as DecodeStep
  let matrix: MatrixValue
  try {
    matrix = decodeSteps(steps, band)
  } catch (error) {
    if (!(error instanceof ConditionalError && error.problem === 'unsupported-rows')) throw error
    matrix = decodeSteps(steps)
    if (matrix.kind === 'half') matrix = { kind: 'half', value: { ...matrix.value, bits: matrix.value.bits.subarray(band.first * last.cols, band.end * last.cols) } }
  }
  if (matrix.kind !== 'half') throw new ChainError('unsupported', 'only 16-bit matrices are decoded in bands of rows', { level: last.level, tensor: last.tensor })
  return matrix
}

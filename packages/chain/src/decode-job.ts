import { ConditionalError, type RowBand } from '@qchain/conditional'
import type { CheckpointFormat } from '@qchain/gptq/pack'
import type { TensorEntry } from '@qchain/format'
import { ChainError } from './errors.js'
import { decodeMatrix, matrixPartBytes } from './matrix-codecs.js'
import type { MatrixPart, MatrixValue } from './matrix.js'
import { decodePlain } from './plain-codecs.js'

/** One tensor the job gives back: its name, its byte length from the index, and for a matrix which part and its shape. */
export interface JobOutput {
  tensor: string
  byteLength: number
  part?: MatrixPart
  shape?: readonly number[]
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
 * A large matrix's job may be cut into bands of rows (`rows`, see row-bands.ts): its outputs
 * are then the parts of a matrix of those rows alone.
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

/**
 * Buffers a thread keeps for the codes of a job's intermediate levels (each later step's
 * parent), reused from job to job instead of left to the garbage collector: two, as a step
 * reads one and writes the other. Levels of more than `keepBytes` codes get their own.
 */
export class LevelBuffers {
  private readonly kept = [new Uint8Array(0), new Uint8Array(0)]

  constructor(private readonly keepBytes: number) {}

  /** A buffer of `length` codes for step `step` (the other one's parent or child), or none past the limit. */
  codes(step: number, length: number): Uint8Array | undefined {
    if (length > this.keepBytes) return undefined
    const k = step & 1
    if ((this.kept[k] as Uint8Array).length < length) this.kept[k] = new Uint8Array(Math.min(this.keepBytes, 2 * length))
    return (this.kept[k] as Uint8Array).subarray(0, length)
  }

  /** Whether `view` lies in a kept buffer (then it must be copied before it outlives the next job). */
  holds(view: ArrayBufferView): boolean {
    return this.kept.some((kept) => kept.buffer === view.buffer)
  }
}

/**
 * Decodes a job; returns one byte array per output, in order, each its tensor's bytes as stored.
 * `buffers` hold the levels below the requested one (never an output).
 */
export function runDecodeJob(job: DecodeJob, buffers?: LevelBuffers): Uint8Array[] {
  if (job.kind === 'plain') {
    const where = { level: job.level, tensor: job.output.tensor }
    return [decodePlain(job.codec, job.sections, job.output.byteLength, job.sliceBytes, where)]
  }
  const matrix = job.rows ? decodeBand(job.steps, job.rows, buffers) : decodeSteps(job.steps, undefined, buffers)
  return job.outputs.map((output) => {
    const where = { level: job.level, tensor: output.tensor }
    const bytes = matrixPartBytes(matrix, output.part as MatrixPart, output.gptq, where)
    if (bytes.length !== output.byteLength) throw new ChainError('corrupt', `rebuilt ${bytes.length} bytes, the index says ${output.byteLength}`, where)
    return bytes
  })
}

/** Decodes a matrix from the base up, or only the rows of `band`; the levels below the last in `buffers`. */
function decodeSteps(steps: readonly DecodeStep[], band?: RowBand, buffers?: LevelBuffers): MatrixValue {
  let value: MatrixValue | undefined
  for (const [index, step] of steps.entries()) {
    // Sized by the parent, already checked against its stream; the base by the index (a base
    // stream of another size leaves the buffer alone, or is refused as damaged).
    const shape = value?.value ?? step
    const elements = (band ? band.end - band.first : shape.rows) * shape.cols
    // The last step's 16-bit weights land in one buffer of their own.
    const last = index === steps.length - 1
    const into = !last ? buffers?.codes(index, elements) : step.codec === 'half-given' && value ? new Uint16Array(elements) : undefined
    value = decodeMatrix(step.codec, step.sections, value, { rows: step.rows, cols: step.cols }, { level: step.level, tensor: step.tensor }, into, band)
  }
  return value as MatrixValue
}

/**
 * A band of a matrix's rows as a matrix of its own: decoded apart where every stream allows it,
 * else (streams not cut in slabs there, which qchain's encoder does not write) cut from a
 * whole decode.
 */
function decodeBand(steps: readonly DecodeStep[], band: RowBand, buffers?: LevelBuffers): MatrixValue {
  const last = steps[steps.length - 1] as DecodeStep
  try {
    return bandMatrix(decodeSteps(steps, band, buffers), band, false, last)
  } catch (error) {
    if (!(error instanceof ConditionalError && error.problem === 'unsupported-rows')) throw error
    return bandMatrix(decodeSteps(steps, undefined, buffers), band, true, last)
  }
}

/**
 * A band's value (codes or weights of its rows only when decoded by band, of every row when
 * `whole`) as a matrix of the band's rows: its GPTQ grid cut to them too.
 */
function bandMatrix(matrix: MatrixValue, { first, end }: RowBand, whole: boolean, where: DecodeStep): MatrixValue {
  const { rows, cols } = matrix.value
  const held = <T extends Uint8Array | Uint16Array>(values: T) => (whole ? (values.subarray(first * cols, end * cols) as T) : values)
  if (matrix.kind === 'half') return { kind: 'half', value: { ...matrix.value, rows: end - first, bits: held(matrix.value.bits) } }
  if (matrix.kind === 'int8') throw new ChainError('unsupported', 'LLM.int8 matrices are not decoded in bands of rows', { level: where.level, tensor: where.tensor })
  const { scales, zeros } = matrix.value
  // scales and zeros are [groups, rows]: each group's run of the band's rows
  const groupRows = (table: Uint16Array) => {
    const cut = new Uint16Array((table.length / rows) * (end - first))
    for (let g = 0; g < table.length / rows; g++) cut.set(table.subarray(g * rows + first, g * rows + end), g * (end - first))
    return cut
  }
  return { kind: 'gptq', value: { ...matrix.value, rows: end - first, codes: held(matrix.value.codes), scales: groupRows(scales), zeros: groupRows(zeros) } }
}

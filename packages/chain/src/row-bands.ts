import { encoderSlabRows } from '@qchain/conditional'
import type { DecodeJob } from './decode-job.js'

/**
 * 16-bit matrices of fewer output bytes than this per band are decoded whole: every band reads
 * and checks all of its matrix's sections again (their checksums cover them whole).
 */
export const BAND_MIN_BYTES = 16 * 2 ** 20

/**
 * Cuts the job of a large 16-bit matrix into up to `parts` bands of rows that workers decode
 * side by side, each reading only the base level's blocks and the slabs of its rows; bands
 * follow the encoder's slabs. Any other job comes back alone, as it is.
 */
export function cutIntoBands<S>(job: DecodeJob<S>, parts: number): DecodeJob<S>[] {
  if (job.kind !== 'matrix' || job.rows || job.outputs.length !== 1) return [job]
  const last = job.steps[job.steps.length - 1]
  const output = job.outputs[0]
  // A job whose index entries disagree on the size stays whole, so its decode reports it.
  if (!last || !output || last.codec !== 'half-given' || output.byteLength !== 2 * last.rows * last.cols) return [job]
  const count = Math.min(parts, Math.floor(output.byteLength / BAND_MIN_BYTES))
  if (count < 2) return [job]
  const { rows, cols } = last
  const slab = encoderSlabRows(rows, cols)
  const bandRows = Math.ceil(rows / count / slab) * slab
  const bands: DecodeJob<S>[] = []
  for (let first = 0; first < rows; first += bandRows) {
    const end = Math.min(rows, first + bandRows)
    bands.push({ ...job, rows: { first, end }, outputs: [{ ...output, byteLength: 2 * (end - first) * cols }] })
  }
  return bands
}

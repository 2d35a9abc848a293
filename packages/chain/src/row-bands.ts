import { encoderSlabRows } from '@qchain/conditional'
import type { DecodeJob, DecodeStep, JobOutput } from './decode-job.js'

/**
 * Matrices of fewer output bytes than this per band are decoded whole: every band reads and
 * checks all of its matrix's sections again (their checksums cover them whole).
 */
export const BAND_MIN_BYTES = 4 * 2 ** 20

/** Last steps whose rows decode apart: 16-bit and GPTQ levels (an LLM.int8 base is one Huffman run per matrix, and small). */
const BANDED_CODECS = new Set(['half-given', 'half-alone', 'gptq-given', 'gptq-alone'])

/**
 * Cuts the job of a large matrix into up to `parts` bands of rows that workers decode side by
 * side, each reading only the base level's blocks and the slabs of its rows; bands follow the
 * encoder's slabs. Any other job comes back alone, as it is. A 16-bit band's output is a run
 * of the tensor's bytes; GPTQ bands' parts are put together by joinBands.
 */
export function cutIntoBands<S>(job: DecodeJob<S>, parts: number): DecodeJob<S>[] {
  if (job.kind !== 'matrix' || job.rows) return [job]
  const last = job.steps[job.steps.length - 1] as DecodeStep<S>
  const total = job.outputs.reduce((sum, output) => sum + output.byteLength, 0)
  const count = Math.min(parts, Math.floor(total / BAND_MIN_BYTES))
  if (count < 2 || !BANDED_CODECS.has(last.codec) || !job.outputs.every((output) => consistent(output, last))) return [job]
  const { rows, cols } = last
  const slab = encoderSlabRows(rows, cols)
  const bandRows = Math.ceil(rows / count / slab) * slab
  // GPTQ packs zero points of 32 / bits rows per word: a band must start on a word
  if (job.outputs.some((output) => output.gptq && (bandRows * output.gptq.bits) % 32 !== 0)) return [job]
  const bands: DecodeJob<S>[] = []
  for (let first = 0; first < rows; first += bandRows) {
    const end = Math.min(rows, first + bandRows)
    bands.push({ ...job, rows: { first, end }, outputs: job.outputs.map((output) => ({ ...output, byteLength: bandBytes(output, end - first, rows) })) })
  }
  return bands
}

/**
 * How a part's bytes follow the matrix's rows: a run of them per row ('rows': 16-bit weights),
 * a run per row of the part, which spans the matrix's rows ('columns': qweight, qzeros,
 * scales), or none ('whole': g_idx, the same in every band).
 */
function layoutOf(output: JobOutput): 'rows' | 'columns' | 'whole' {
  if (output.part === 'g_idx') return 'whole'
  return output.part === 'weight' ? 'rows' : 'columns'
}

/** The index's sizes agree with the matrix's shape, so a band's share of each part is exact; otherwise the whole decode reports them. */
function consistent(output: JobOutput, last: { rows: number; cols: number }): boolean {
  const layout = layoutOf(output)
  if (layout === 'whole') return true
  if (layout === 'rows') return output.byteLength === 2 * last.rows * last.cols
  return output.shape?.length === 2 && output.byteLength % last.rows === 0
}

function bandBytes(output: JobOutput, bandRows: number, rows: number): number {
  return layoutOf(output) === 'whole' ? output.byteLength : (output.byteLength / rows) * bandRows
}

/** One job's tensors from its bands' (in row order): runs concatenated row by row of each part. */
export function joinBands(outputs: readonly JobOutput[], bands: readonly Map<string, Uint8Array>[]): Map<string, Uint8Array> {
  return new Map(
    outputs.map((output) => {
      const pieces = bands.map((band) => band.get(output.tensor) as Uint8Array)
      const layout = layoutOf(output)
      if (layout === 'whole') return [output.tensor, pieces[0] as Uint8Array]
      const partRows = layout === 'rows' ? 1 : (output.shape?.[0] as number)
      const joined = new Uint8Array(output.byteLength)
      for (let r = 0, at = 0; r < partRows; r++) {
        for (const piece of pieces) {
          const width = piece.length / partRows
          joined.set(piece.subarray(r * width, (r + 1) * width), at)
          at += width
        }
      }
      return [output.tensor, joined]
    }),
  )
}

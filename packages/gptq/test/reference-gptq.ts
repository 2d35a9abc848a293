import { gridParams, maxCode, quantizeCode, type QuantBits } from '../src/index.js'
import { naiveHinv } from './naive-linalg.js'

/**
 * The reference fasterquant written out plainly in float64: explicit Hinv from
 * cholesky -> inverse -> upper Cholesky, one column at a time, no lazy batches (dynamic groups
 * are still fitted from W as of the start of their lazy batch, as the reference does).
 * Only the grid (gridParams / quantizeCode) is shared with the library.
 */
export function referenceGptq(
  weight: Float32Array,
  rows: number,
  cols: number,
  hessian: Float32Array,
  options: { bits: QuantBits; groupSize: number; sym: boolean; actOrder: boolean; dampPercent: number; blockSize: number },
): { codes: Uint8Array; loss: number } {
  const n = cols
  const h = Float64Array.from(hessian)
  const w = Float64Array.from(weight)
  for (let d = 0; d < n; d++) {
    if (h[d * n + d] !== 0) continue
    h[d * n + d] = 1
    for (let r = 0; r < rows; r++) w[r * n + d] = 0
  }
  const perm = Array.from({ length: n }, (_, i) => i)
  if (options.actOrder) perm.sort((a, b) => (h[b * n + b] as number) - (h[a * n + a] as number) || a - b)
  const wp = Float64Array.from({ length: rows * n }, (_, i) => w[Math.floor(i / n) * n + (perm[i % n] as number)] as number)
  const hp = Float64Array.from({ length: n * n }, (_, i) => h[(perm[Math.floor(i / n)] as number) * n + (perm[i % n] as number)] as number)
  let trace = 0
  for (let i = 0; i < n; i++) trace += hp[i * n + i] as number
  for (let i = 0; i < n; i++) hp[i * n + i] = (hp[i * n + i] as number) + (options.dampPercent * trace) / n
  const hinv = naiveHinv(hp, n)
  const width = options.groupSize === -1 ? n : options.groupSize
  const maxq = maxCode(options.bits)
  const codes = new Uint8Array(rows * n)
  let snapshot = wp.slice()
  let grid: { scale: number; zero: number }[] = []
  let loss = 0
  for (let i = 0; i < n; i++) {
    if (i % options.blockSize === 0) snapshot = wp.slice()
    if (i % width === 0) {
      grid = Array.from({ length: rows }, (_, r) => {
        const values = Array.from(snapshot.subarray(r * n + i, r * n + Math.min(i + width, n)))
        return gridParams(Math.min(...values), Math.max(...values), options)
      })
    }
    const d = hinv[i * n + i] as number
    for (let r = 0; r < rows; r++) {
      const { scale, zero } = grid[r] as { scale: number; zero: number }
      const value = wp[r * n + i] as number
      const code = quantizeCode(value, scale, zero, maxq)
      const error = (value - scale * (code - zero)) / d
      loss += (error * error) / 2
      codes[r * n + (perm[i] as number)] = code
      for (let j = i + 1; j < n; j++) wp[r * n + j] = (wp[r * n + j] as number) - error * (hinv[i * n + j] as number)
    }
  }
  return { codes, loss }
}

import { seededRandom } from '@qchain/fixtures'

export { seededRandom }

export function gaussians(count: number, seed: number): Float32Array {
  const random = seededRandom(seed)
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  return out
}

/** C = A B in float64, row-major. */
export function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] as number) + (a[i * k + p] as number) * (b[p * n + j] as number)
  return c
}

export function naiveTranspose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j] as number
  return t
}

/** Correlated inputs like a transformer's activations: independent gaussians mixed by a random matrix, plus a few loud channels. */
export function correlatedInputs(tokens: number, cols: number, seed: number): Float32Array {
  const z = gaussians(tokens * cols, seed)
  const mix = gaussians(cols * cols, seed + 1).map((v, i) => (i % (cols + 1) === 0 ? 1 : 0.15 * v))
  const x = Float32Array.from(naiveMatmul(z, mix, tokens, cols, cols))
  for (let t = 0; t < tokens; t++) for (let c = 0; c < cols; c += 37) x[t * cols + c] = (x[t * cols + c] as number) * 8
  return x
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)))
  return max
}

export function maxAbs(a: ArrayLike<number>): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] as number))
  return max
}

import { naiveTranspose } from './helpers.js'

// Textbook float64 linear algebra, the yardstick for the blocked float32 code.

export function naiveCholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] as number
    for (let p = 0; p < j; p++) d -= (l[j * n + p] as number) ** 2
    l[j * n + j] = Math.sqrt(d)
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] as number
      for (let p = 0; p < j; p++) s -= (l[i * n + p] as number) * (l[j * n + p] as number)
      l[i * n + j] = s / (l[j * n + j] as number)
    }
  }
  return l
}

/** Gauss-Jordan inverse with partial pivoting. */
export function naiveInverse(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a)
  const inv = new Float64Array(n * n)
  for (let i = 0; i < n; i++) inv[i * n + i] = 1
  for (let c = 0; c < n; c++) {
    let pivot = c
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c] as number) > Math.abs(m[pivot * n + c] as number)) pivot = r
    for (const t of [m, inv]) for (let j = 0; j < n; j++) [t[c * n + j], t[pivot * n + j]] = [t[pivot * n + j] as number, t[c * n + j] as number]
    const d = m[c * n + c] as number
    for (const t of [m, inv]) for (let j = 0; j < n; j++) t[c * n + j] = (t[c * n + j] as number) / d
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = m[r * n + c] as number
      for (const t of [m, inv]) for (let j = 0; j < n; j++) t[r * n + j] = (t[r * n + j] as number) - f * (t[c * n + j] as number)
    }
  }
  return inv
}

/** The reference's Hinv: cholesky(H) -> cholesky_inverse -> upper Cholesky, all float64. */
export function naiveHinv(h: Float64Array, n: number): Float64Array {
  return naiveTranspose(naiveCholesky(naiveInverse(h, n), n), n, n)
}

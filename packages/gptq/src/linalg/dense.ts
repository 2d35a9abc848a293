import { GptqError } from '../errors.js'

// Unblocked float64 kernels for the diagonal blocks of the blocked Cholesky (and whole small
// matrices). Row-major, n x n.

/**
 * Lower Cholesky factor in place (the strict upper part is zeroed). `offset` is where this
 * block sits in the full matrix, so a failure names the global pivot.
 */
export function choleskyDense(a: Float64Array, n: number, offset = 0): void {
  for (let j = 0; j < n; j++) {
    let pivot = a[j * n + j] as number
    for (let p = 0; p < j; p++) pivot -= (a[j * n + p] as number) ** 2
    if (!(pivot > 0)) {
      throw new GptqError(
        'not-positive-definite',
        `the Hessian is not positive definite (Cholesky pivot ${offset + j} is ${pivot}); use a larger damp_percent`,
      )
    }
    const diagonal = Math.sqrt(pivot)
    a[j * n + j] = diagonal
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j] as number
      for (let p = 0; p < j; p++) sum -= (a[i * n + p] as number) * (a[j * n + p] as number)
      a[i * n + j] = sum / diagonal
    }
    for (let i = 0; i < j; i++) a[i * n + j] = 0
  }
}

/**
 * Inverse of a lower triangular matrix with a nonzero diagonal, row by row so every inner loop
 * runs along a row: X[i, :] = (e_i - sum_{p<i} L[i,p] X[p, :]) / L[i,i].
 */
export function invertLowerDense(l: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    const row = i * n
    x[row + i] = 1
    for (let p = 0; p < i; p++) {
      const factor = l[row + p] as number
      for (let j = 0; j <= p; j++) x[row + j] = (x[row + j] as number) - factor * (x[p * n + j] as number)
    }
    const diagonal = l[row + i] as number
    for (let j = 0; j <= i; j++) x[row + j] = (x[row + j] as number) / diagonal
  }
  return x
}

/** Inverse of an upper triangular matrix: P U P is lower triangular, and reversing the flat array is P M P. */
export function invertUpperDense(u: Float64Array, n: number): Float64Array {
  return invertLowerDense(u.slice().reverse(), n).reverse()
}

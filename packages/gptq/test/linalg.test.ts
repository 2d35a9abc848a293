import { beforeAll, describe, expect, it } from 'vitest'
import { choleskyLower, GptqError, initTfjsWasm, upperHessianFactor } from '../src/index.js'
import { gaussians, maxAbs, maxAbsDiff, naiveMatmul, naiveTranspose } from './helpers.js'
import { naiveCholesky, naiveHinv, naiveInverse } from './naive-linalg.js'

/** A well-conditioned SPD matrix like a damped Hessian: X^T X / m + 0.01 mean(diag) I, float64. */
function randomSpd(n: number, seed: number): Float64Array {
  const m = 2 * n + 3
  const x = gaussians(m * n, seed)
  const a = naiveMatmul(naiveTranspose(x, m, n), x, n, m, n).map((v) => v / m)
  let trace = 0
  for (let i = 0; i < n; i++) trace += a[i * n + i] as number
  for (let i = 0; i < n; i++) a[i * n + i] = (a[i * n + i] as number) + (0.01 * trace) / n
  return a
}

const relative = (got: ArrayLike<number>, want: ArrayLike<number>): number => maxAbsDiff(got, want) / maxAbs(want)

// Small blocks make 128 and 300 run through several blocks and the tfjs matmul.
const TUNINGS = [{}, { blockSize: 48 }]

describe('blocked Cholesky and the Hessian factor', () => {
  beforeAll(() => initTfjsWasm())

  for (const n of [1, 7, 128, 300]) {
    const a = randomSpd(n, n)
    const want = naiveCholesky(a, n)
    for (const tuning of TUNINGS) {
      it(`match float64 at n = ${n}, ${JSON.stringify(tuning)}`, () => {
        const l = choleskyLower(Float32Array.from(a), n, tuning)
        expect(relative(l, want)).toBeLessThan(2e-6)
        // H = V V^T with V upper, and V^-1 is the reference's Hinv.
        const v = upperHessianFactor(Float32Array.from(a), n, tuning)
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(v[i * n + j]).toBe(0)
        expect(relative(naiveMatmul(v, naiveTranspose(v, n, n), n, n, n), a)).toBeLessThan(2e-6)
        expect(relative(naiveInverse(Float64Array.from(v), n), naiveHinv(a, n))).toBeLessThan(2e-5)
      })
    }
  }

  it('reads only the lower triangle and returns a clean lower factor', () => {
    const n = 7
    const a = Float32Array.from(randomSpd(n, 3))
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = 1e6
    const l = choleskyLower(a, n)
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0)
    expect(relative(l, naiveCholesky(randomSpd(n, 3), n))).toBeLessThan(2e-6)
  })

  for (const n of [2, 300]) {
    it(`refuses a matrix that is not positive definite (n = ${n}) with a typed error`, () => {
      const a = Float32Array.from(randomSpd(n, 5))
      a[(n - 1) * n + (n - 1)] = -1
      let caught: unknown
      try {
        upperHessianFactor(a, n, { blockSize: 48 })
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(GptqError)
      expect((caught as GptqError).problem).toBe('not-positive-definite')
      expect((caught as GptqError).message).toMatch(/damp_percent/)
    })
  }
})

import { accumulateBlock, copyBlock, transpose, writeBlock } from './blocks.js'
import { choleskyDense, invertLowerDense } from './dense.js'
import { matmul } from './matmul.js'

export interface BlockedOptions {
  /** Width of the diagonal blocks handled by the float64 JS kernels. */
  blockSize?: number
}

export const DEFAULT_BLOCK = 256

/**
 * Lower Cholesky factor of a symmetric positive definite matrix (row-major n x n, only the lower
 * triangle is read). Blocked left-looking: block column k first receives the updates of all the
 * columns left of it in one float32 matmul, A[k:, k] -= L[k:, :k] L[k, :k]^T, then its diagonal
 * block is factored in float64 and the panel below is L21 = A21 L11^-T. Returns a new matrix
 * with a zero strict upper triangle.
 */
export function choleskyLower(a: Float32Array, n: number, options: BlockedOptions = {}): Float32Array {
  const block = options.blockSize ?? DEFAULT_BLOCK
  const l = Float32Array.from(a)
  for (let k0 = 0; k0 < n; k0 += block) {
    const k1 = Math.min(k0 + block, n)
    const width = k1 - k0
    if (k0 > 0) {
      const left = copyBlock(l, n, k0, n, 0, k0)
      const update = matmul(left, transpose(left.subarray(0, width * k0), width, k0), n - k0, k0, width)
      accumulateBlock(l, n, k0, k0, update, width, -1)
    }
    const diagonal = Float64Array.from(copyBlock(l, n, k0, k1, k0, k1))
    choleskyDense(diagonal, width, k0)
    writeBlock(l, n, k0, k0, Float32Array.from(diagonal), width)
    if (k1 === n) break
    const inverseT = transpose(Float32Array.from(invertLowerDense(diagonal, width)), width, width)
    writeBlock(l, n, k1, k0, matmul(copyBlock(l, n, k1, n, k0, k1), inverseT, n - k1, width, width), width)
  }
  for (let i = 0; i < n; i++) l.fill(0, i * n + i + 1, (i + 1) * n)
  return l
}

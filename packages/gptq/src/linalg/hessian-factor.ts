import { choleskyLower, type BlockedOptions } from './cholesky.js'

/**
 * Upper triangular V with H = V V^T. GPTQ's Hinv (upper Cholesky factor of H^-1, U^T U = H^-1)
 * is exactly V^-1: with P the index reversal, P H P = L L^T gives V = P L P, and
 * H^-1 = V^-T V^-1. GPTQ here works with V directly, so it needs one Cholesky and no inverse.
 * For row-major data P M P is the reversed flat array.
 */
export function upperHessianFactor(h: Float32Array, n: number, options: BlockedOptions = {}): Float32Array {
  return choleskyLower(h.slice().reverse(), n, options).reverse()
}

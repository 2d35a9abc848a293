/**
 * The residual codec's context: how wide the parent's bin is in child steps, W, as
 * lambda = floor(4 * log2 W) (quarter octaves). Narrow bins (W < 2^(HIGH_BITS+1)) get one context
 * per quarter octave and code the whole residual; wider bins code only the top bits,
 * residual >> k with k = floor(log2 W) - HIGH_BITS, and send the k low bits raw (they are
 * nearly uniform there), so their symbols have the same spread at every scale and share four
 * contexts (one per quarter octave). A prediction of exactly zero gets its own family: the
 * zero bin spans many binades, so its residual has another shape.
 */
export const HIGH_BITS = 4
export const LAMBDA_MIN = -4
/** W < 2^16: a residual in a 16-bit child never needs more low bits than this allows. */
export const LAMBDA_MAX = 63
export const NARROW_CONTEXTS = 4 * (HIGH_BITS + 1) - LAMBDA_MIN
export const FAMILY_CONTEXTS = NARROW_CONTEXTS + 4
export const CONTEXT_COUNT = 2 * FAMILY_CONTEXTS

/** Context id (bits 0..5) and low-bit count k (bits 6..9) for a bin of quarter-log width `lambda`. */
export function contextOf(lambda: number, zeroFamily: boolean): number {
  const clamped = lambda < LAMBDA_MIN ? LAMBDA_MIN : lambda > LAMBDA_MAX ? LAMBDA_MAX : lambda
  const family = zeroFamily ? FAMILY_CONTEXTS : 0
  const k = (clamped >> 2) - HIGH_BITS
  if (k <= 0) return family + clamped - LAMBDA_MIN
  return (k << 6) | (family + NARROW_CONTEXTS + (clamped & 3))
}

export const CONTEXT_MASK = 63
/** Context ids a 6-bit field can name: kernels size per-id tables by this, so no id reads past them. */
export const CONTEXT_IDS = CONTEXT_MASK + 1
export const LOW_BITS_SHIFT = 6

/** Lambdas contextOf tells apart (it clamps the others). */
export const LAMBDA_SPAN = LAMBDA_MAX - LAMBDA_MIN + 1

/**
 * An entry's bits 16.. (contextOf << 16, its id replaced by the map's table number when there
 * is a map) for each lambda in LAMBDA_MIN..LAMBDA_MAX, first of nonzero predictions, then of
 * the zero family: a kernel's lookup instead of contextOf.
 */
export function contextBitsTable(map: Uint8Array | null): Int32Array {
  const table = new Int32Array(2 * LAMBDA_SPAN)
  for (let lambda = LAMBDA_MIN; lambda <= LAMBDA_MAX; lambda++) {
    for (const zeroFamily of [false, true]) {
      const context = contextOf(lambda, zeroFamily)
      const id = context & CONTEXT_MASK
      table[(zeroFamily ? LAMBDA_SPAN : 0) + lambda - LAMBDA_MIN] = ((context & ~CONTEXT_MASK) | (map ? (map[id] as number) : id)) << 16
    }
  }
  return table
}

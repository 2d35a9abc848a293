import { HuffmanError } from './errors.js'

/**
 * Optimal length-limited code lengths by package-merge: `counts[i]` is how often code i
 * occurs, the result its length (0 for unused codes). Two or more used codes always get a
 * complete code (Kraft sum exactly 1); a single used code gets length 1. Counts are integers
 * below 2^36 and there are at most 2^17 codes (a 16-bit alphabet plus the escape).
 */
export function buildCodeLengths(counts: ArrayLike<number>, maxLength: number): Uint8Array {
  const lengths = new Uint8Array(counts.length)
  const order = usedByAscendingCount(counts)
  const n = order.length
  if (n === 0) return lengths
  if (n === 1) {
    lengths[order[0] as number] = 1
    return lengths
  }
  if (!Number.isInteger(maxLength) || maxLength < 1 || n > 2 ** maxLength) {
    throw new HuffmanError('bad-option', `${n} codes do not fit in lengths of at most ${maxLength} bits`, { field: 'maxCodeLength' })
  }
  const leafWeights = new Float64Array(n)
  for (let i = 0; i < n; i++) leafWeights[i] = counts[order[i] as number] as number
  const width = 2 * n
  const packageFlags = mergeLevels(leafWeights, maxLength, width)
  // The 2n-2 lightest items of the last list form the code; a leaf's length is how many
  // selected items (directly or inside selected packages) contain it. Leaves are sorted, so
  // the leaves in any prefix are always the lightest ones.
  let take = 2 * n - 2
  for (let level = maxLength - 1; level >= 0; level--) {
    // Level 0 is the leaf list itself, which holds no packages.
    let leaves = take
    if (level > 0) for (let i = (level - 1) * width, end = i + take; i < end; i++) leaves -= packageFlags[i] as number
    for (let i = 0; i < leaves; i++) (lengths[order[i] as number] as number)++
    take = 2 * (take - leaves)
  }
  return lengths
}

/**
 * Runs the maxLength-1 package/merge rounds; returns which merged items are packages, round
 * r's flags at (r - 1) * width (each list has fewer than `width` = 2n items).
 */
function mergeLevels(leafWeights: Float64Array, maxLength: number, width: number): Uint8Array {
  const n = leafWeights.length
  const flags = new Uint8Array((maxLength - 1) * width)
  // Two lists reused in turn: the previous round's items and this round's.
  let previous = new Float64Array(width)
  let merged = new Float64Array(width)
  previous.set(leafWeights)
  let previousLength = n
  for (let level = 1; level < maxLength; level++) {
    const packages = previousLength >>> 1
    const base = (level - 1) * width
    let leaf = 0
    let pkg = 0
    for (let k = 0; k < n + packages; k++) {
      const packageWeight = pkg < packages ? (previous[2 * pkg] as number) + (previous[2 * pkg + 1] as number) : Infinity
      if (leaf < n && (leafWeights[leaf] as number) <= packageWeight) {
        merged[k] = leafWeights[leaf++] as number
      } else {
        merged[k] = packageWeight
        flags[base + k] = 1
        pkg++
      }
    }
    previousLength = n + packages
    ;[previous, merged] = [merged, previous]
  }
  return flags
}

/** Above every code index (a 16-bit alphabet plus the escape); counts * INDEX_RANGE stays exact in a double. */
const INDEX_RANGE = 1 << 17

/** Indices of non-zero counts, lightest first (ties by index, so encodes are deterministic). */
function usedByAscendingCount(counts: ArrayLike<number>): Uint32Array {
  // (count, index) packed in one float key: the native numeric sort is far faster than a
  // comparator. Plain loops, as typed-array `from` with a map function is slow in V8.
  let used = 0
  for (let i = 0; i < counts.length; i++) if ((counts[i] as number) > 0) used++
  const keys = new Float64Array(used)
  for (let i = 0, k = 0; i < counts.length; i++) if ((counts[i] as number) > 0) keys[k++] = (counts[i] as number) * INDEX_RANGE + i
  keys.sort()
  const order = new Uint32Array(used)
  for (let k = 0; k < used; k++) order[k] = (keys[k] as number) % INDEX_RANGE
  return order
}

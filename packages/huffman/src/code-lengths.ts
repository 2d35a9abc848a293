import { HuffmanError } from './errors.js'

/**
 * Optimal length-limited code lengths by package-merge: `counts[i]` is how often code i
 * occurs, the result its length (0 for unused codes). Two or more used codes always get a
 * complete code (Kraft sum exactly 1); a single used code gets length 1.
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
  const leafWeights = Float64Array.from(order, (code) => counts[code] as number)
  const packageFlags = mergeLevels(leafWeights, maxLength)
  // The 2n-2 lightest items of the last list form the code; a leaf's length is how many
  // selected items (directly or inside selected packages) contain it. Leaves are sorted, so
  // the leaves in any prefix are always the lightest ones.
  let take = 2 * n - 2
  for (let level = packageFlags.length - 1; level >= -1; level--) {
    const flags = packageFlags[level]
    let leaves = take
    if (flags) for (let i = 0; i < take; i++) leaves -= flags[i] as number
    for (let i = 0; i < leaves; i++) (lengths[order[i] as number] as number)++
    take = 2 * (take - leaves)
  }
  return lengths
}

/** Runs the maxLength-1 package/merge rounds; returns, per round, which merged items are packages. */
function mergeLevels(leafWeights: Float64Array, maxLength: number): Uint8Array[] {
  const n = leafWeights.length
  const flagsPerLevel: Uint8Array[] = []
  let previous = leafWeights
  for (let level = 1; level < maxLength; level++) {
    const packages = previous.length >>> 1
    const merged = new Float64Array(n + packages)
    const flags = new Uint8Array(n + packages)
    let leaf = 0
    let pkg = 0
    for (let k = 0; k < merged.length; k++) {
      const packageWeight = pkg < packages ? (previous[2 * pkg] as number) + (previous[2 * pkg + 1] as number) : Infinity
      if (leaf < n && (leafWeights[leaf] as number) <= packageWeight) {
        merged[k] = leafWeights[leaf++] as number
      } else {
        merged[k] = packageWeight
        flags[k] = 1
        pkg++
      }
    }
    flagsPerLevel.push(flags)
    previous = merged
  }
  return flagsPerLevel
}

/** Indices of non-zero counts, lightest first (ties by index, so encodes are deterministic). */
function usedByAscendingCount(counts: ArrayLike<number>): Uint32Array {
  const used: number[] = []
  for (let i = 0; i < counts.length; i++) if ((counts[i] as number) > 0) used.push(i)
  return Uint32Array.from(used).sort((a, b) => (counts[a] as number) - (counts[b] as number) || a - b)
}

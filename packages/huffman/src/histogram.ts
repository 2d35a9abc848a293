import type { SymbolArray } from './format.js'

/** Symbol counts of symbols[from..to); sized to the symbol width's whole alphabet. */
export function histogram(symbols: SymbolArray, from = 0, to = symbols.length): Uint32Array {
  if (symbols.BYTES_PER_ELEMENT === 2) {
    const counts = new Uint32Array(65536)
    for (let i = from; i < to; i++) (counts[symbols[i] as number] as number)++
    return counts
  }
  // Four sub-histograms, so runs of one byte do not wait on their own previous increment.
  const lanes = new Uint32Array(4 * 256)
  let i = from
  for (; i + 4 <= to; i += 4) {
    ;(lanes[symbols[i] as number] as number)++
    ;(lanes[256 + (symbols[i + 1] as number)] as number)++
    ;(lanes[512 + (symbols[i + 2] as number)] as number)++
    ;(lanes[768 + (symbols[i + 3] as number)] as number)++
  }
  for (; i < to; i++) (lanes[symbols[i] as number] as number)++
  const counts = lanes.subarray(0, 256)
  for (let s = 0; s < 256; s++) counts[s] = (counts[s] as number) + (lanes[256 + s] as number) + (lanes[512 + s] as number) + (lanes[768 + s] as number)
  return counts.slice()
}

/** Order-0 empirical entropy of a histogram in bits: the floor for any per-symbol code. */
export function entropyBits(counts: ArrayLike<number>): number {
  let total = 0
  for (let i = 0; i < counts.length; i++) total += counts[i] as number
  let bits = 0
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number
    if (count > 0) bits -= count * Math.log2(count / total)
  }
  return bits
}

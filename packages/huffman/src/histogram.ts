import type { SymbolArray } from './format.js'

const LANES = 8

/** Symbol counts of symbols[from..to); sized to the symbol width's whole alphabet. */
export function histogram(symbols: SymbolArray, from = 0, to = symbols.length): Uint32Array {
  if (symbols.BYTES_PER_ELEMENT === 2) {
    const counts = new Uint32Array(65536)
    for (let i = from; i < to; i++) (counts[symbols[i] as number] as number)++
    return counts
  }
  // Eight sub-histograms, so runs of one byte do not wait on their own previous increment;
  // each 32-bit read feeds four of them.
  const lanes = new Uint32Array(LANES * 256)
  const view = new DataView(symbols.buffer, symbols.byteOffset, symbols.byteLength)
  let i = from
  for (; i + 8 <= to; i += 8) {
    const low = view.getUint32(i, true)
    const high = view.getUint32(i + 4, true)
    ;(lanes[low & 255] as number)++
    ;(lanes[256 | ((low >>> 8) & 255)] as number)++
    ;(lanes[512 | ((low >>> 16) & 255)] as number)++
    ;(lanes[768 | (low >>> 24)] as number)++
    ;(lanes[1024 | (high & 255)] as number)++
    ;(lanes[1280 | ((high >>> 8) & 255)] as number)++
    ;(lanes[1536 | ((high >>> 16) & 255)] as number)++
    ;(lanes[1792 | (high >>> 24)] as number)++
  }
  for (; i < to; i++) (lanes[symbols[i] as number] as number)++
  const counts = lanes.subarray(0, 256)
  for (let lane = 1; lane < LANES; lane++) {
    for (let s = 0; s < 256; s++) counts[s] = (counts[s] as number) + (lanes[256 * lane + s] as number)
  }
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

/**
 * Decides which symbols are sent as escape + raw bits instead of getting their own code.
 * Returns the code counts for the table (symbols 0..n-1, escape last) and the raw bit width.
 * Escapes the k rarest symbols for the k with the lowest estimated size, and always enough
 * that the rest fit in codes of at most `maxLength` bits.
 */
export function chooseEscapes(histogram: Uint32Array, total: number, maxLength: number): { codeCounts: Uint32Array; escapeBits: number } {
  const used = symbolsByRarity(histogram)
  const rawBits = bitWidth(largest(used, 0, used.length))
  const codeBits = (count: number) => count * Math.min(maxLength, Math.max(1, Math.log2(total / count)))
  const tableBits = (listed: number) => listed * tableEntryBits(listed, rawBits)
  const symbolBits = new Float64Array(used.length)
  let keptCodeBits = 0
  for (let k = 0; k < used.length; k++) {
    symbolBits[k] = codeBits(histogram[used[k] as number] as number)
    keptCodeBits += symbolBits[k] as number
  }
  let escapedCount = 0
  let bestCost = keptCodeBits + tableBits(used.length)
  let escaped = 0
  const forced = Math.max(0, used.length - (2 ** maxLength - 1))
  for (let k = 1; k < used.length; k++) {
    keptCodeBits -= symbolBits[k - 1] as number
    escapedCount += histogram[used[k - 1] as number] as number
    const cost = keptCodeBits + tableBits(used.length - k + 1) + escapedCount * rawBits + codeBits(escapedCount)
    if (k <= forced || cost < bestCost) {
      bestCost = cost
      escaped = k
    }
  }
  const symbolCount = largest(used, escaped, used.length) + 1
  const codeCounts = new Uint32Array(symbolCount + 1)
  for (let k = escaped; k < used.length; k++) codeCounts[used[k] as number] = histogram[used[k] as number] as number
  for (let k = 0; k < escaped; k++) codeCounts[symbolCount] = (codeCounts[symbolCount] as number) + (histogram[used[k] as number] as number)
  const escapeBits = escaped === 0 ? 0 : bitWidth(largest(used, 0, escaped))
  return { codeCounts, escapeBits }
}

/**
 * The used symbols, rarest first, ties by descending symbol. (count, 65535 - symbol) packed in
 * one float key, as the native numeric sort is far faster than a comparator.
 */
function symbolsByRarity(histogram: Uint32Array): Uint32Array {
  let used = 0
  for (let s = 0; s < histogram.length; s++) if ((histogram[s] as number) > 0) used++
  const keys = new Float64Array(used)
  for (let s = 0, k = 0; s < histogram.length; s++) if ((histogram[s] as number) > 0) keys[k++] = (histogram[s] as number) * 65536 + 65535 - s
  keys.sort()
  const symbols = new Uint32Array(used)
  for (let k = 0; k < used; k++) symbols[k] = 65535 - ((keys[k] as number) % 65536)
  return symbols
}

/** The largest of symbols[from..to), or -1 when empty. */
function largest(symbols: Uint32Array, from: number, to: number): number {
  let max = -1
  for (let k = from; k < to; k++) max = Math.max(max, symbols[k] as number)
  return max
}

/**
 * Rough table cost of listing one symbol: its 4-bit length token plus, when listed symbols are
 * sparse, a zero-run token and the nibbles of the run length before it.
 */
function tableEntryBits(listedSymbols: number, rawBits: number): number {
  const gap = 2 ** rawBits / listedSymbols
  return gap < 2 ? 4 : 8 + 4 * Math.ceil(Math.log2(gap) / 3)
}

/** Bits needed to write `value` (at least 1). */
function bitWidth(value: number): number {
  return Math.max(1, 32 - Math.clz32(value))
}

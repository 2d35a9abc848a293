
/**
 * Decides which symbols are sent as escape + raw bits instead of getting their own code.
 * Returns the code counts for the table (symbols 0..n-1, escape last) and the raw bit width.
 * Escapes the k rarest symbols for the k with the lowest estimated size, and always enough
 * that the rest fit in codes of at most `maxLength` bits.
 */
export function chooseEscapes(histogram: Uint32Array, total: number, maxLength: number): { codeCounts: Uint32Array; escapeBits: number } {
  const used: number[] = []
  for (let s = 0; s < histogram.length; s++) if ((histogram[s] as number) > 0) used.push(s)
  used.sort((a, b) => (histogram[a] as number) - (histogram[b] as number) || b - a)
  const rawBits = bitWidth(used.reduce((max, s) => Math.max(max, s), 0))
  const codeBits = (count: number) => count * Math.min(maxLength, Math.max(1, Math.log2(total / count)))
  const tableBits = (listed: number) => listed * tableEntryBits(listed, rawBits)
  let keptCodeBits = used.reduce((sum, s) => sum + codeBits(histogram[s] as number), 0)
  let escapedCount = 0
  let bestCost = keptCodeBits + tableBits(used.length)
  let escaped = 0
  const forced = Math.max(0, used.length - (2 ** maxLength - 1))
  for (let k = 1; k < used.length; k++) {
    const count = histogram[used[k - 1] as number] as number
    keptCodeBits -= codeBits(count)
    escapedCount += count
    const cost = keptCodeBits + tableBits(used.length - k + 1) + escapedCount * rawBits + codeBits(escapedCount)
    if (k <= forced || cost < bestCost) {
      bestCost = cost
      escaped = k
    }
  }
  const kept = used.slice(escaped)
  const symbolCount = kept.reduce((max, s) => Math.max(max, s + 1), 0)
  const codeCounts = new Uint32Array(symbolCount + 1)
  for (const s of kept) codeCounts[s] = histogram[s] as number
  for (const s of used.slice(0, escaped)) codeCounts[symbolCount] = (codeCounts[symbolCount] as number) + (histogram[s] as number)
  const escapeBits = escaped === 0 ? 0 : bitWidth(used.slice(0, escaped).reduce((max, s) => Math.max(max, s), 0))
  return { codeCounts, escapeBits }
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

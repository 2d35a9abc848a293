/**
 * Which row table entries a prepare() call has computed: a row needs only the (group, code)
 * entries its elements use, each computed once, at its first element. Stamps hold the call
 * that computed an entry, not its row: a row prepared again (e.g. under another context map)
 * computes its entries again.
 */
export class EntryStamps {
  private readonly stamps: Int32Array
  private calls = 0

  constructor(entries: number) {
    this.stamps = new Int32Array(entries)
  }

  /** Calls `compute(j, q, at)` once per entry `at` = columnBase[j] + q that the row at `row` of `codes` uses. */
  forRow(row: number, cols: number, codes: Uint8Array, columnBase: Int32Array, compute: (j: number, q: number, at: number) => void): void {
    const tag = ++this.calls
    const { stamps } = this
    for (let j = 0, i = row * cols; j < cols; j++, i++) {
      const q = codes[i] as number
      const at = (columnBase[j] as number) + q
      if (stamps[at] === tag) continue
      stamps[at] = tag
      compute(j, q, at)
    }
  }
}

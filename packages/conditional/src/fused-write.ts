import type { ByteWriter } from '@qchain/huffman'
import { BitWriter } from './bit-writer.js'
import { CONTEXT_COUNT, CONTEXT_MASK, LOW_BITS_SHIFT } from './context.js'
import type { ResidualSymbols } from './encode-space.js'
import { LANES, staticCode, staticTableBits, writeStaticCode, type StaticCode } from './fused-code.js'
import { kernelSlabs, type EmittedSlabs } from './fused-emit.js'
import type { ResidualParts } from './residual-encode.js'
import { ALPHABET, ESCAPE, planTables, UNUSED, writeTablePlan } from './table-plan.js'

/** About this many elements per slab: slabs are a decoder's units of work and memory. */
const SLAB_ELEMENTS = 1 << 20

/**
 * Rows per slab the encoder writes: 1..rows (1 for an empty tensor). Rows of a large matrix
 * decoded apart (decodeRows) must start and end between slabs, so a band is a multiple of this.
 */
export function encoderSlabRows(rows: number, cols: number): number {
  return Math.max(1, Math.min(rows, Math.floor(SLAB_ELEMENTS / Math.max(1, cols))))
}

/**
 * Version 2's static body from the first pass: the table plan, each table's static code, the
 * slabs' rows, each slab's LANES lane lengths, then the lanes' bytes in order. Lane e mod LANES
 * of a slab holds, for its elements e in order, the code, then the escaped integer
 * (`childBits` wide) or the residual's k low bits. See docs/conditional.md.
 */
export function writeStaticBody(rows: number, cols: number, first: ResidualSymbols, out: ByteWriter, childBits: number): ResidualParts {
  // The first pass's views of kernel memory read as empty once a memory growth detached them.
  if (first.symbols.length !== rows * cols) throw new Error(`unreachable: ${first.symbols.length} first-pass symbols for ${rows * cols} elements`)
  const start = out.length
  const tableOf = planTables(first.histograms, staticTableBits)
  writeTablePlan(tableOf, out)
  let framing = out.length - start
  const codes = tableCodes(first.histograms, tableOf)
  const tablesStart = out.length
  for (const code of codes) writeStaticCode(code, out)
  const tables = out.length - tablesStart
  // Per context id: its table's code.
  const codeOf = Array.from(tableOf, (table) => (table === UNUSED ? null : codes[table]!))
  const slabRows = encoderSlabRows(rows, cols)
  const ends: number[] = []
  for (let row = slabRows; row < rows + slabRows; row += slabRows) ends.push(Math.min(rows, row) * cols)
  const escapes = (first.escaped.length * childBits) / 8
  const { slabs, lowBits } = kernelSlabs(first, codeOf, childBits, ends) ?? new SlabEmitter(first, codeOf, childBits).all(ends)
  const framingStart = out.length
  out.varint(slabRows)
  for (const lanes of slabs) for (const lane of lanes) out.varint(lane.length)
  framing += out.length - framingStart
  const slabsStart = out.length
  for (const lanes of slabs) for (const lane of lanes) out.append(lane)
  return { framing, tables, payload: out.length - slabsStart - lowBits / 8 - escapes, lowBits: lowBits / 8, escapes }
}

/** Each used table's code from the sum of its contexts' histograms. */
function tableCodes(histograms: Uint32Array, tableOf: Uint8Array): StaticCode[] {
  const counts: Uint32Array[] = []
  for (let c = 0; c < CONTEXT_COUNT; c++) {
    const table = tableOf[c] as number
    if (table === UNUSED) continue
    const sum = (counts[table] ??= new Uint32Array(ALPHABET))
    for (let s = 0; s < ALPHABET; s++) sum[s] = (sum[s] as number) + (histograms[c * ALPHABET + s] as number)
  }
  return counts.map(staticCode)
}

/** The reference emission: walks the first pass's symbols, escapes and low bits in element order. */
class SlabEmitter {
  /** Low bits and escapes taken so far: the first pass's streams are consumed in element order. */
  private lowBits = 0
  private escapeAt = 0

  constructor(
    private readonly first: ResidualSymbols,
    private readonly codeOf: (StaticCode | null)[],
    private readonly childBits: number,
  ) {}

  /** Every slab, `ends` being their element ends. */
  all(ends: number[]): EmittedSlabs {
    const slabs = ends.map((to, s) => this.slab(s === 0 ? 0 : (ends[s - 1] as number), to))
    return { slabs, lowBits: this.lowBits }
  }

  private slab(from: number, to: number): Uint8Array[] {
    const { symbols, contexts, escaped, low } = this.first
    const { codeOf, childBits } = this
    const lanes = Array.from({ length: LANES }, () => new BitWriter(((to - from) >> 3) + 16))
    for (let i = from; i < to; i++) {
      const bits = lanes[(i - from) % LANES] as BitWriter
      const context = contexts[i] as number
      const symbol = symbols[i] as number
      const code = codeOf[context & CONTEXT_MASK] as StaticCode
      bits.write(code.codes[symbol] as number, code.spent[symbol] as number)
      if (symbol === ESCAPE) {
        bits.write(escaped[this.escapeAt++] as number, childBits)
        continue
      }
      const k = context >>> LOW_BITS_SHIFT
      const byte = this.lowBits >>> 3
      const window = ((low[byte] as number) | ((low[byte + 1] as number) << 8) | ((low[byte + 2] as number) << 16)) >>> (this.lowBits & 7)
      bits.write(window & ((1 << k) - 1), k)
      this.lowBits += k
    }
    return lanes.map((bits) => bits.result())
  }
}

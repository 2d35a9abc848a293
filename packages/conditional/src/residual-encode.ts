import { ByteWriter } from '@qchain/huffman'
import { BitWriter } from './bit-writer.js'
import { writeEscapeList, writeLowBits } from './raw-lists.js'
import { CONTEXT_COUNT, CONTEXT_MASK, LOW_BITS_SHIFT } from './context.js'
import type { RowPredictor } from './half-predictor.js'
import { writeSymbols } from './pair-pack.js'
import { EncodeSpace, type ResidualSymbols } from './encode-space.js'
import { ALPHABET, ESCAPE, planTables, UNUSED, writeTablePlan } from './table-plan.js'

/**
 * Bytes of each section of a residual body; they sum to the body's length (bits written inline
 * in the static body's lanes count as bits / 8).
 */
export interface ResidualParts {
  /** The coder byte, context presence and table starts, symbol counts or slab and lane lengths. */
  framing: number
  /** Code tables (none in the adaptive body). */
  tables: number
  /** The coded symbols: Huffman blocks or lanes without their tables, or the adaptive stream. */
  payload: number
  /** Raw low bits of wide-bin residuals. */
  lowBits: number
  /** Escaped child integers. */
  escapes: number
}

/** Writes the child's integer values (ordered 16-bit patterns or codes) of one row into `out`. */
export type RowValues = (row: number, out: Int32Array) => void

/**
 * Residual body: for each element, r = child - prediction; symbol zigzag(r >> k) (or ESCAPE
 * when it does not fit) goes to its context's table, the k low bits of r to a raw bit stream.
 * `raw` is the child's 16-bit patterns or codes: the WebAssembly kernel reads them directly,
 * the TypeScript loop (the reference, same bytes) through `values`.
 */
export function writeResiduals(rows: number, cols: number, predict: RowPredictor, values: RowValues, raw: Uint16Array | Uint8Array, out: ByteWriter): ResidualParts {
  const space = EncodeSpace.open(rows * cols, cols, predict, raw)
  const { symbols, contexts, histograms, escaped, low } = space ? space.residuals(rows, predict) : residualSymbols(rows, cols, predict, values)
  const parts: ResidualParts = { framing: 0, tables: 0, payload: 0, lowBits: 0, escapes: 0 }
  const start = out.length
  const tableOf = planTables(histograms)
  writeTablePlan(tableOf, out)
  parts.framing = out.length - start
  const { ends, small } = tableCounts(histograms, tableOf)
  const grouped = space ? space.group(tableOf, ends) : groupByTable(symbols, contexts, tableOf, ends)
  for (let t = 0; t + 1 < ends.length; t++) {
    const from = ends[t] as number
    const to = ends[t + 1] as number
    const countStart = out.length
    out.varint(to - from)
    // the count varint and the packing byte are framing
    parts.framing += out.length - countStart + 1
    parts.tables += writeSymbols(grouped, from, to, small[t] as number, out)
  }
  const escapesStart = out.length
  parts.escapes = writeEscapeList(escaped, out)
  parts.lowBits = writeLowBits(low, out)
  parts.payload = escapesStart - start - parts.tables - parts.framing
  return parts
}

/**
 * The first pass alone (for the version 2 writers): in the WebAssembly kernel where it runs,
 * else the TypeScript loop, with the same result. Kernel results are views of its memory, valid
 * until the next residual encode or decode.
 */
export function firstPass(rows: number, cols: number, predict: RowPredictor, values: RowValues, raw: Uint16Array | Uint8Array): ResidualSymbols {
  const space = EncodeSpace.open(rows * cols, cols, predict, raw)
  return space ? space.residuals(rows, predict) : residualSymbols(rows, cols, predict, values)
}

/** The reference first pass: symbol, context and count of every element, the escaped values, the low bits. */
function residualSymbols(rows: number, cols: number, predict: RowPredictor, values: RowValues): ResidualSymbols {
  const n = rows * cols
  const symbols = new Uint8Array(n)
  const contexts = new Uint16Array(n)
  const histograms = new Uint32Array(CONTEXT_COUNT * ALPHABET)
  const lowBits = new BitWriter(n >> 2)
  const escaped: number[] = []
  const { table, columnBase, parentCodes } = predict
  const row = new Int32Array(cols)
  for (let r = 0, i = 0; r < rows; r++) {
    predict.prepare(r)
    values(r, row)
    for (let j = 0; j < cols; j++, i++) {
      const entry = table[(columnBase[j] as number) + (parentCodes[i] as number)] as number
      const context = (entry >>> 16) & CONTEXT_MASK
      const k = entry >>> (16 + LOW_BITS_SHIFT)
      const residual = (row[j] as number) - (entry & 0xffff)
      const high = residual >> k
      const zigzag = (high << 1) ^ (high >> 31)
      let symbol = ESCAPE
      if (zigzag < ESCAPE) {
        symbol = zigzag
        lowBits.write(residual & ((1 << k) - 1), k)
      } else {
        escaped.push(row[j] as number)
      }
      symbols[i] = symbol
      contexts[i] = entry >>> 16
      ;(histograms[context * ALPHABET + symbol] as number)++
    }
  }
  return { symbols, contexts, histograms, escaped: Uint16Array.from(escaped), low: lowBits.result() }
}

/** Where each table's symbols start and end once grouped (ends[t]..ends[t+1] is table t), and how many of them are 0, 1 or 2. */
function tableCounts(histograms: Uint32Array, tableOf: Uint8Array): { ends: Int32Array; small: Int32Array } {
  let tableCount = 0
  for (const table of tableOf) if (table !== UNUSED) tableCount = Math.max(tableCount, table + 1)
  const ends = new Int32Array(tableCount + 1)
  const small = new Int32Array(tableCount)
  for (let c = 0; c < CONTEXT_COUNT; c++) {
    const table = tableOf[c] as number
    if (table === UNUSED) continue
    let count = 0
    for (let s = 0; s < ALPHABET; s++) count += histograms[c * ALPHABET + s] as number
    ends[table + 1] = (ends[table + 1] as number) + count
    small[table] = (small[table] as number) + (histograms[c * ALPHABET] as number) + (histograms[c * ALPHABET + 1] as number) + (histograms[c * ALPHABET + 2] as number)
  }
  for (let t = 0; t < tableCount; t++) ends[t + 1] = (ends[t + 1] as number) + (ends[t] as number)
  return { ends, small }
}

/** The reference regrouping: symbols by table, stable (element order within a table). */
function groupByTable(symbols: Uint8Array, contexts: Uint16Array, tableOf: Uint8Array, ends: Int32Array): Uint8Array {
  const cursor = ends.slice(0, -1)
  const grouped = new Uint8Array(symbols.length)
  for (let i = 0; i < symbols.length; i++) {
    const table = tableOf[(contexts[i] as number) & CONTEXT_MASK] as number
    grouped[(cursor[table] as number)++] = symbols[i] as number
  }
  return grouped
}

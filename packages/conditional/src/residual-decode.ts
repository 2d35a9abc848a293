import { readAdaptiveSymbols } from './adaptive-symbols.js'
import { CONTEXT_COUNT, CONTEXT_MASK, LOW_BITS_SHIFT } from './context.js'
import { ConditionalError } from './errors.js'
import type { RowPredictor } from './half-predictor.js'
import type { Reader } from './reader.js'
import { Packing, readPairs } from './pair-pack.js'
import { DecodeSpace, type KernelResult } from './decode-space.js'
import { readBlocks } from './symbol-blocks.js'
import { ESCAPE, readTablePlan, UNUSED } from './table-plan.js'

/**
 * Reads a residual body (see writeResiduals) and rebuilds the child into `out`: 16-bit
 * patterns when `ordered` (the integers are mapped back by fromOrdered, inlined), else codes
 * (a Uint8Array; values that do not fit are refused after).
 * Every integer must lie in 0..valueMask (a power of two minus one). The WebAssembly kernel
 * rebuilds the values where it can, the TypeScript loop (decodeRows) elsewhere, with the same
 * result; a lying stream is refused by the counts checked after either.
 */
export function readResiduals(reader: Reader, rows: number, cols: number, valueMask: number, predict: RowPredictor, out: Uint16Array | Uint8Array, ordered: boolean): void {
  const n = rows * cols
  const { tableOf, tableCount } = readTablePlan(reader)
  const space = DecodeSpace.open(n, cols, predict, reader.remaining)
  const symbols = space?.symbols ?? new Uint8Array(n + cols)
  const ends = new Int32Array(tableCount + 1)
  for (let t = 0; t < tableCount; t++) {
    const count = reader.boundedVarint('table symbol count', n - (ends[t] as number), 'bad-payload')
    ends[t + 1] = (ends[t] as number) + count
    const packing = reader.byte('table packing')
    if (packing === Packing.Pairs) readPairs(reader, symbols, ends[t] as number, count, `table ${t}`)
    else if (packing === Packing.Single) readBlocks(reader, symbols, ends[t] as number, count, `table ${t}`)
    else throw new ConditionalError('bad-table', `unknown table packing ${packing}`, { field: `table ${t}` })
  }
  if (ends[tableCount] !== n) throw new ConditionalError('bad-payload', `tables hold ${ends[tableCount]} symbols for ${n} weights`, { field: 'table symbol count' })
  // Contexts the stream says are unused read from an empty extra table.
  const contextMap = tableOf.map((table) => (table === UNUSED ? tableCount : table))
  rebuild(reader, { rows, cols, valueMask, predict, out, ordered }, space, symbols, ends, contextMap)
}

/**
 * Version 2's adaptive body: every symbol in element order from the adaptive coder, which
 * needs each element's whole context ((k << 6) | id) first; then escapes and low bits as in
 * version 1, read through one table.
 */
export function readAdaptiveResiduals(reader: Reader, rows: number, cols: number, valueMask: number, predict: RowPredictor, out: Uint16Array | Uint8Array, ordered: boolean): void {
  const n = rows * cols
  const space = DecodeSpace.open(n, cols, predict, reader.remaining)
  const contexts = space?.contexts(rows, predict) ?? elementContexts(rows, cols, predict)
  const symbols = space?.symbols ?? new Uint8Array(n + cols)
  readAdaptiveSymbols(reader, contexts, symbols.subarray(0, n))
  rebuild(reader, { rows, cols, valueMask, predict, out, ordered }, space, symbols, Int32Array.of(0, n), new Uint8Array(CONTEXT_COUNT))
}

/** (k << 6) | context id of every element, from the parent alone (the reference; DecodeSpace.contexts where WebAssembly runs). */
function elementContexts(rows: number, cols: number, predict: RowPredictor): Uint16Array {
  const contexts = new Uint16Array(rows * cols)
  const { table, columnBase, parentCodes } = predict
  predict.contextMap = null
  for (let r = 0, i = 0; r < rows; r++) {
    predict.prepare(r)
    for (let j = 0; j < cols; j++, i++) contexts[i] = (table[(columnBase[j] as number) + (parentCodes[i] as number)] as number) >>> 16
  }
  return contexts
}

interface Target {
  rows: number
  cols: number
  valueMask: number
  predict: RowPredictor
  out: Uint16Array | Uint8Array
  ordered: boolean
}

/**
 * Reads the escapes and low bits that follow the symbols, then rebuilds the child: table t's
 * symbols are symbols[ends[t]..ends[t+1]), context c reads table contextMap[c]. Every count a
 * lying stream could break is checked after.
 */
function rebuild(reader: Reader, target: Target, space: DecodeSpace | null, symbols: Uint8Array, ends: Int32Array, contextMap: Uint8Array): void {
  const { rows, cols, valueMask, predict, out, ordered } = target
  const n = rows * cols
  const tableCount = ends.length - 1
  const escapeCount = reader.boundedVarint('escape count', n, 'bad-payload')
  const escapeBytes = reader.take(2 * escapeCount, 'escapes')
  // The TypeScript loop's buffers are padded by a row's worst case (checked after each row).
  const escapes = space?.escapeView(escapeCount) ?? new Uint16Array(escapeCount + cols)
  for (let e = 0; e < escapeCount; e++) escapes[e] = (escapeBytes[2 * e] as number) | ((escapeBytes[2 * e + 1] as number) << 8)
  const lowLength = reader.boundedVarint('low bits length', reader.remaining, 'truncated')
  // Room for a whole row of the widest low bits past the end, plus the 3-byte read window.
  const low = space?.lowView(lowLength) ?? new Uint8Array(lowLength + 2 * cols + 4)
  low.set(reader.take(lowLength, 'low bits'))

  // Entries carry table numbers, computed once per row entry rather than per element.
  predict.contextMap = contextMap
  const starts = ends.slice()
  const lengths = { escapeCount, lowLength }
  const result = space ? space.decode(rows, predict, starts, out) : decodeRows(rows, cols, predict, starts, symbols, escapes, low, lengths, out, ordered)
  const { cursor, escapeAt, bitPos } = result
  if ((result.seen & ~valueMask) !== 0) throw new ConditionalError('bad-payload', 'a decoded value is outside the child type', { field: 'residuals' })
  for (let t = 0; t <= tableCount; t++) {
    if (cursor[t] !== ends[Math.min(t + 1, tableCount)]) throw new ConditionalError('bad-payload', `table ${t} holds symbols for other weights than the parent implies`, { field: `table ${t}` })
  }
  if (escapeAt !== escapeCount) throw new ConditionalError('bad-payload', `${escapeCount - escapeAt} escaped values left over`, { field: 'escapes' })
  if (Math.ceil(bitPos / 8) !== lowLength) throw new ConditionalError('bad-payload', `low bits take ${Math.ceil(bitPos / 8)} bytes, the stream has ${lowLength}`, { field: 'low bits' })
}

/** The reference loop: rebuilds row by row, checking after each row that no buffer was overrun. */
function decodeRows(rows: number, cols: number, predict: RowPredictor, cursor: Int32Array, symbols: Uint8Array, escapes: Uint16Array, low: Uint8Array, lengths: { escapeCount: number; lowLength: number }, out: Uint16Array | Uint8Array, ordered: boolean): KernelResult {
  const tableCount = cursor.length - 1
  const limits = Int32Array.from({ length: tableCount + 1 }, (_, t) => cursor[Math.min(t + 1, tableCount)] as number)
  const { table: entries, columnBase, parentCodes } = predict
  // fromOrdered(v) = v ^ (v >= 0x8000 ? 0x8000 : 0xffff); codes pass unchanged.
  const flip = ordered ? 0xffff : 0
  const flipDelta = ordered ? 0x7fff : 0
  let escapeAt = 0
  let bitPos = 0
  let seen = 0
  for (let r = 0; r < rows; r++) {
    predict.prepare(r)
    for (let j = 0, i = r * cols; j < cols; j++, i++) {
      const entry = entries[(columnBase[j] as number) + (parentCodes[i] as number)] as number
      const table = (entry >>> 16) & CONTEXT_MASK
      const k = entry >>> (16 + LOW_BITS_SHIFT)
      const symbol = symbols[cursor[table] as number] as number
      cursor[table] = (cursor[table] as number) + 1
      let value: number
      if (symbol === ESCAPE) {
        value = escapes[escapeAt++] as number
      } else {
        const byte = bitPos >>> 3
        const window = ((low[byte] as number) | ((low[byte + 1] as number) << 8) | ((low[byte + 2] as number) << 16)) >>> (bitPos & 7)
        bitPos += k
        value = (entry & 0xffff) + ((symbol >>> 1) ^ -(symbol & 1)) * (1 << k) + (window & ((1 << k) - 1))
      }
      seen |= value
      out[i] = value ^ (flip ^ (((value >>> 15) & 1) * flipDelta))
    }
    checkRow(cursor, limits, escapeAt, lengths.escapeCount, bitPos, lengths.lowLength, r)
  }
  return { cursor, escapeAt, bitPos, seen }
}

function checkRow(cursor: Int32Array, limits: Int32Array, escapeAt: number, escapeCount: number, bitPos: number, lowLength: number, row: number): void {
  const field = `row ${row}`
  for (let t = 0; t < cursor.length; t++) {
    if ((cursor[t] as number) > (limits[t] as number)) throw new ConditionalError('bad-payload', `table ${t} runs out of symbols`, { field })
  }
  if (escapeAt > escapeCount) throw new ConditionalError('bad-payload', 'escaped values run out', { field })
  if (bitPos > 8 * lowLength) throw new ConditionalError('bad-payload', 'low bits run out', { field })
}

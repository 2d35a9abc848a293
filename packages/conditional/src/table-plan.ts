import type { ByteWriter } from '@qchain/huffman'
import { entropyBits } from '@qchain/huffman'
import { CONTEXT_COUNT } from './context.js'
import { ConditionalError } from './errors.js'
import type { Reader } from './reader.js'

/** Symbols are zigzagged residuals 0..254; 255 escapes to the child's raw value. */
export const ESCAPE = 255
export const ALPHABET = 256
export const UNUSED = 255
const PRESENCE_BYTES = Math.ceil(CONTEXT_COUNT / 8)

/** Estimated bits of one table's symbols coded together, with its own table and framing. */
export type TableCost = (counts: Uint32Array) => number

/**
 * Which Huffman table codes each context: contexts with symbols start as one table each, then
 * neighbours (in context order) are merged while that saves bits by `cost` (version 1's blocks
 * by default). Small tensors end with a few tables, large ones keep every context.
 * `histograms` is CONTEXT_COUNT x ALPHABET; the result maps context -> table (UNUSED if empty).
 */
export function planTables(histograms: Uint32Array, cost: TableCost = blockTableBits): Uint8Array {
  const groups: Group[] = []
  for (let c = 0; c < CONTEXT_COUNT; c++) {
    const counts = histograms.slice(c * ALPHABET, (c + 1) * ALPHABET)
    if (counts.some((n) => n > 0)) groups.push({ contexts: [c], counts, cost: cost(counts) })
  }
  // pairs[g]: groups g and g + 1 merged; only the merged group's neighbours change per round.
  const pairs = groups.slice(0, -1).map((a, g) => mergedGroup(a, groups[g + 1]!, cost))
  for (;;) {
    let best = -1
    let bestSaving = 0
    for (let g = 0; g < pairs.length; g++) {
      const saving = groups[g]!.cost + groups[g + 1]!.cost - pairs[g]!.cost
      if (saving > bestSaving) {
        best = g
        bestSaving = saving
      }
    }
    if (best < 0) break
    groups.splice(best, 2, pairs[best]!)
    pairs.splice(best, 2)
    if (best + 1 < groups.length) pairs.splice(best, 0, mergedGroup(groups[best]!, groups[best + 1]!, cost))
    if (best > 0) pairs[best - 1] = mergedGroup(groups[best - 1]!, groups[best]!, cost)
  }
  const tableOf = new Uint8Array(CONTEXT_COUNT).fill(UNUSED)
  groups.forEach((group, table) => group.contexts.forEach((c) => (tableOf[c] = table)))
  return tableOf
}

interface Group {
  contexts: number[]
  counts: Uint32Array
  cost: number
}

function mergedGroup(a: Group, b: Group, cost: TableCost): Group {
  const counts = new Uint32Array(ALPHABET)
  for (let s = 0; s < ALPHABET; s++) counts[s] = (a.counts[s] as number) + (b.counts[s] as number)
  return { contexts: [...a.contexts, ...b.contexts], counts, cost: cost(counts) }
}

/** Version 1: payload at the entropy plus the table (a nibble per listed symbol) and block framing. */
function blockTableBits(counts: Uint32Array): number {
  let span = 0
  for (let s = 0; s < counts.length; s++) if ((counts[s] as number) > 0) span = s + 1
  return entropyBits(counts) + 8 * (10 + Math.ceil(span / 2))
}

/**
 * ceil(CONTEXT_COUNT / 8) bytes: bit c set when context c has symbols; then one bit per used context (in order), set
 * when it starts a new table (the first always does). Tables are numbered in that order.
 */
export function writeTablePlan(tableOf: Uint8Array, out: ByteWriter): void {
  const used: number[] = []
  for (let c = 0; c < CONTEXT_COUNT; c++) if (tableOf[c] !== UNUSED) used.push(c)
  const presence = new Uint8Array(PRESENCE_BYTES)
  for (const c of used) presence[c >> 3]! |= 1 << (c & 7)
  out.append(presence)
  const starts = new Uint8Array(Math.ceil(used.length / 8))
  used.forEach((c, i) => {
    if (i === 0 || tableOf[c] !== tableOf[used[i - 1]!]) starts[i >> 3]! |= 1 << (i & 7)
  })
  out.append(starts)
}

export function readTablePlan(reader: Reader): { tableOf: Uint8Array; tableCount: number } {
  const presence = reader.take(PRESENCE_BYTES, 'context presence')
  const used: number[] = []
  for (let c = 0; c < CONTEXT_COUNT; c++) if ((presence[c >> 3]! >> (c & 7)) & 1) used.push(c)
  const starts = reader.take(Math.ceil(used.length / 8), 'table starts')
  const tableOf = new Uint8Array(CONTEXT_COUNT).fill(UNUSED)
  let tableCount = 0
  used.forEach((c, i) => {
    const start = (starts[i >> 3]! >> (i & 7)) & 1
    if (i === 0 && !start) throw new ConditionalError('bad-table', 'the first used context must start a table', { field: 'table starts' })
    if (start) tableCount++
    tableOf[c] = tableCount - 1
  })
  if (used.length % 8 && starts[starts.length - 1]! >> (used.length % 8)) throw new ConditionalError('bad-table', 'padding bits of the table starts are not 0', { field: 'table starts' })
  return { tableOf, tableCount }
}

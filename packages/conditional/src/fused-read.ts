import { ConditionalError } from './errors.js'
import { fillDecodeEntries, fillUnusedEntries, LANES, PEEK_ENTRIES, readStaticCode } from './fused-code.js'
import { FusedSpace } from './fused-space.js'
import { TypeScriptRows, type StaticRows } from './fused-rows.js'
import type { RowPredictor } from './half-predictor.js'
import type { Reader } from './reader.js'
import type { RowBand } from './types.js'
import { readTablePlan, UNUSED } from './table-plan.js'

/**
 * Keeps every bit position in a slab (counted from its first bit, across its four lanes) below
 * 2^31 for the decoders' i32 arithmetic; an encoder's lane reaches this only for rows of tens of
 * millions of elements (at most 27 bits per element).
 */
const MAX_LANE_BYTES = 2 ** 25

/**
 * Reads a static body (see writeStaticBody) and rebuilds the child into `out`: 16-bit patterns
 * when `ordered` (fromOrdered), else codes. Every integer must lie in 0..valueMask (a power of
 * two minus one), whose width is also the escapes'. Rows are decoded by the WebAssembly kernel
 * where it runs, else by the TypeScript loop, with the same result; either way the same checks
 * run after every row (in the decoder's slab()) and slab, so a lying stream is refused the
 * same: each lane must end exactly in its last byte, zero padded, and no row may read past a
 * lane's end. With `band`, only the slabs of its rows are decoded (into `out`, which holds
 * those rows, like the predictor's parent codes); its edges must fall between slabs.
 */
export function readStaticBody(reader: Reader, rows: number, cols: number, valueMask: number, predict: RowPredictor, out: Uint16Array | Uint8Array, ordered: boolean, band?: RowBand): void {
  const { tableOf, tableCount } = readTablePlan(reader)
  const codes = Array.from({ length: tableCount }, (_, t) => readStaticCode(reader, `table ${t}`))
  const slabRows = reader.boundedVarint('slab rows', Math.max(1, rows), 'bad-payload')
  if (slabRows === 0) throw new ConditionalError('bad-payload', 'slabs of 0 rows', { field: 'slab rows' })
  const { first, end } = band ?? { first: 0, end: rows }
  if (first % slabRows !== 0 || (end % slabRows !== 0 && end !== rows)) {
    throw new ConditionalError('unsupported-rows', `rows ${first}..${end - 1} do not start and end between this stream's slabs of ${slabRows} rows`, { field: 'rows' })
  }
  // per slab, its lanes' byte lengths
  const lengths = new Float64Array(Math.ceil(rows / slabRows) * LANES)
  let total = 0
  for (let l = 0; l < lengths.length; l++) {
    lengths[l] = reader.boundedVarint('lane length', reader.remaining, 'truncated')
    if ((lengths[l] as number) > MAX_LANE_BYTES) throw new ConditionalError('too-large', `lane ${l % LANES} of slab ${Math.floor(l / LANES)} has ${lengths[l]} bytes, more than ${MAX_LANE_BYTES}`, { field: 'lane length' })
    total += lengths[l] as number
  }
  const stream = reader.take(total, 'slabs')
  // Contexts the stream says are unused look up a table whose values are all refused.
  predict.contextMap = tableOf.map((table) => (table === UNUSED ? tableCount : table))
  let slabBytes = 0
  for (let l = 0; l < lengths.length; l += LANES) slabBytes = Math.max(slabBytes, lengths.subarray(l, l + LANES).reduce((sum, length) => sum + length, 0))
  const decoder: StaticRows = FusedSpace.open(cols, Math.min(rows, slabRows), predict, tableCount + 1, slabBytes, out) ?? new TypeScriptRows(cols, predict, tableCount + 1, out)
  codes.forEach((code, t) => fillDecodeEntries(code, decoder.entries, t * PEEK_ENTRIES))
  fillUnusedEntries(decoder.entries, tableCount * PEEK_ENTRIES)
  decoder.setStream(stream)
  const escapeBits = 32 - Math.clz32(valueMask)
  const { positions } = decoder
  // lane l's first bit in the stream; positions count from their slab's first bit
  const starts = new Float64Array(lengths.length + 1)
  for (let l = 0; l < lengths.length; l++) starts[l + 1] = (starts[l] as number) + 8 * (lengths[l] as number)
  for (let s = first / slabRows; s < Math.ceil(end / slabRows); s++) {
    const field = `slab ${s}`
    const slabStart = starts[s * LANES] as number
    const ends = starts.subarray(s * LANES + 1, s * LANES + LANES + 1).map((end) => end - slabStart)
    for (let x = 0; x < LANES; x++) positions[x] = (starts[s * LANES + x] as number) - slabStart
    const overrun = decoder.slab(s * slabRows, Math.min(rows, (s + 1) * slabRows), slabStart / 8, ends, escapeBits, ordered)
    if (overrun >= 0) {
      const x = positions.findIndex((pos, x) => pos > (ends[x] as number))
      throw new ConditionalError('bad-payload', `slab ${s} lane ${x} runs out of bits in row ${overrun}`, { field })
    }
    if ((decoder.seen() & ~valueMask) !== 0) throw new ConditionalError('bad-payload', 'a decoded value is outside the child type', { field })
    for (let x = 0; x < LANES; x++) {
      const pos = positions[x] as number
      const end = ends[x] as number
      if (end - pos >= 8) throw new ConditionalError('bad-payload', `slab ${s} lane ${x} has ${lengths[s * LANES + x]} bytes, its codes end ${Math.floor((end - pos) / 8)} bytes before`, { field })
      if (pos & 7 && (stream[slabStart / 8 + (pos >>> 3)] as number) >>> (pos & 7)) throw new ConditionalError('bad-payload', `padding bits of slab ${s} lane ${x} are not 0`, { field })
    }
  }
}

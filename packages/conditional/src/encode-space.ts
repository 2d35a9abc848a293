import { CONTEXT_COUNT, CONTEXT_IDS } from './context.js'
import type { RowPredictor } from './half-predictor.js'
import { HISTOGRAM_LANE_BYTES } from './encode-kernel-code.js'
import { kernelsWithMemory, type ResidualKernels } from './kernel-module.js'
import { kernelRowsBytes, openKernelRows, type KernelRows } from './kernel-rows.js'
import { NATIVE_INDEXING, withNativeKernels } from './native-kernels.js'
import { ALPHABET } from './table-plan.js'

const STATE = 0
const CURSORS = 16
/** A cursor per 8-bit table number. */
const CURSOR_BYTES = 4 * 256
const HISTOGRAMS = CURSORS + CURSOR_BYTES
const TABLE_OF = HISTOGRAMS + 2 * HISTOGRAM_LANE_BYTES
const COLUMN_BASE = TABLE_OF + 64
/** The most low bits one element writes (k = 15 - HIGH_BITS), so the worst case is sized up front. */
const MAX_LOW_BITS = 11

/** Bytes of the low bits' region from its start: their worst case and an 8-byte read window past it. */
const lowRegionBytes = (n: number): number => Math.ceil((MAX_LOW_BITS * n) / 8) + 16

/**
 * Room kept after the regions for the static body's slab emission (fused-emit.ts), so that it
 * never grows the memory under the first pass's views: codes per context id and symbol, then
 * the lanes of one slab at a time (at most 27 bits per element) and an 8-byte store window.
 */
export const emitRoomBytes = (n: number): number => 4 * CONTEXT_IDS * ALPHABET + 4 * n + 32

/** Where that room starts (8-byte aligned), given where the first pass's low bits start. */
export const emitRoomStart = (lowStart: number, n: number): number => (lowStart + lowRegionBytes(n) + 7) & ~7

/** What the first pass yields, per element and per context. */
export interface ResidualSymbols {
  symbols: Uint8Array
  /** (k << 6) | context id per element: the entry's bits 16.. (see contextOf). */
  contexts: Uint16Array
  histograms: Uint32Array
  escaped: Uint16Array
  low: Uint8Array
}

/**
 * One tensor's residual encode in the WebAssembly kernel's memory. Regions, in order: state,
 * cursors, histograms, context-to-table map, column bases, row table, parent codes, child
 * values, symbols, contexts (2n), symbols grouped by table, escapes (2n), low bits (11n bits + 16),
 * room for the static emission (emitRoomBytes). The rows run in @qchain/native's first pass
 * where it is installed, else in the WebAssembly kernel, with the same bytes.
 * Views returned stay valid until the next tensor.
 */
export class EncodeSpace {
  private readonly table: number
  private readonly parent: number
  private readonly values: number
  private readonly symbols: number
  private readonly contexts: number
  private readonly grouped: number
  private readonly escapes: number
  private readonly low: number
  private readonly kernelRows: KernelRows

  private constructor(
    private readonly kernel: ResidualKernels,
    private readonly n: number,
    private readonly cols: number,
    predict: RowPredictor,
    valueWidth: 1 | 2,
  ) {
    this.table = COLUMN_BASE + 4 * cols
    const rowsBase = this.table + 4 * predict.table.length
    this.kernelRows = openKernelRows(kernel, rowsBase, predict, cols)
    this.parent = rowsBase + kernelRowsBytes(predict)
    this.values = (this.parent + n + 1) & ~1
    this.symbols = this.values + valueWidth * n
    this.contexts = (this.symbols + n + 1) & ~1
    this.grouped = this.contexts + 2 * n
    this.escapes = (this.grouped + n + 1) & ~1
    this.low = this.escapes + 2 * n
  }

  /** Space for a tensor predicted by `predict` whose child values are `values` (16-bit patterns or 8-bit codes), or null where the kernel cannot run. */
  static open(n: number, cols: number, predict: RowPredictor, values: Uint16Array | Uint8Array): EncodeSpace | null {
    const width = values.BYTES_PER_ELEMENT as 1 | 2
    const kernel = kernelsWithMemory(COLUMN_BASE + 4 * cols + 4 * predict.table.length + kernelRowsBytes(predict) + (7 + width) * n + 3 + lowRegionBytes(n) + 7 + emitRoomBytes(n))
    if (!kernel) return null
    const space = new EncodeSpace(kernel, n, cols, predict, width)
    const buffer = kernel.memory.buffer
    if (width === 2) new Uint16Array(buffer, space.values, n).set(values)
    else new Uint8Array(buffer, space.values, n).set(values)
    return space
  }

  /** Symbols, contexts and counts of every element, the escaped values and the low bits, row by row. */
  residuals(rows: number, predict: RowPredictor): ResidualSymbols {
    const { memory, encodeRow } = this.kernel
    const { n, cols } = this
    const buffer = memory.buffer
    const words = new Int32Array(buffer)
    words.set([0, this.low, 0, 0], STATE / 4)
    const lanes = new Uint32Array(buffer, HISTOGRAMS, 2 * CONTEXT_COUNT * ALPHABET)
    lanes.fill(0)
    words.set(predict.columnBase, COLUMN_BASE / 4)
    new Uint8Array(buffer, this.parent, n).set(predict.parentCodes.subarray(0, n))
    const valueWidth = predict.indexing === 'codes' ? 1 : 2
    const indexing = NATIVE_INDEXING[predict.indexing]
    const ranNative = withNativeKernels(
      (native) => native.bindEncode(buffer as ArrayBuffer, Int32Array.of(this.table, COLUMN_BASE, cols, HISTOGRAMS, STATE, CONTEXT_COUNT)),
      (native, check) => this.rows(rows, (i) => check(native.encodeRow(this.values + valueWidth * i, this.parent + i, cols, this.symbols + i, this.contexts + 2 * i, this.escapes, indexing))),
    )
    if (ranNative === null) {
      const call = encodeRow[predict.indexing]
      this.rows(rows, (i) => call(this.values + valueWidth * i, this.parent + i, cols, COLUMN_BASE, this.table, this.symbols + i, this.contexts + 2 * i, HISTOGRAMS, this.escapes, STATE))
    }
    const [escapeCount, lowAt, bits] = [words[STATE / 4] as number, words[STATE / 4 + 1] as number, words[STATE / 4 + 2] as number]
    return {
      symbols: new Uint8Array(buffer, this.symbols, n),
      contexts: new Uint16Array(buffer, this.contexts, n),
      histograms: sumLanes(lanes),
      escaped: new Uint16Array(buffer, this.escapes, escapeCount),
      // The pending bits already sit in the byte at lowAt.
      low: new Uint8Array(buffer, this.low, lowAt - this.low + (bits > 0 ? 1 : 0)),
    }
  }

  /** Fills each row's entries and runs `encode` on it, given its first element. */
  private rows(rows: number, encode: (first: number) => void): void {
    for (let r = 0; r < rows; r++) {
      const i = r * this.cols
      this.kernelRows.fill(r, this.parent + i, COLUMN_BASE, this.table)
      encode(i)
    }
  }

  /** The symbols regrouped by table (stable); `ends[t]..ends[t + 1]` is table t. */
  group(tableOf: Uint8Array, ends: Int32Array): Uint8Array {
    const { memory, group } = this.kernel
    const buffer = memory.buffer
    new Uint8Array(buffer, TABLE_OF, tableOf.length).set(tableOf)
    new Int32Array(buffer, CURSORS, ends.length - 1).set(ends.subarray(0, -1))
    group(this.symbols, this.contexts, this.n, TABLE_OF, CURSORS, this.grouped)
    return new Uint8Array(buffer, this.grouped, this.n)
  }
}

/** The two histogram lanes added up. */
function sumLanes(lanes: Uint32Array): Uint32Array {
  const size = CONTEXT_COUNT * ALPHABET
  const sum = lanes.slice(0, size)
  for (let at = 0; at < size; at++) sum[at] = (sum[at] as number) + (lanes[size + at] as number)
  return sum
}

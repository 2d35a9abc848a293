import type { RowPredictor } from './half-predictor.js'
import { kernelsWithMemory, type ResidualKernels } from './kernel-module.js'
import { kernelRowsBytes, openKernelRows, type KernelRows } from './kernel-rows.js'

const STATE = 0
const CURSORS = 16
/** Room for a cursor per 6-bit table number. */
const CURSOR_BYTES = 4 * 64
/** Keeps the kernel's bit position (at most 11 bits per element) inside an i32 whatever a stream says. */
const MAX_ELEMENTS = 2 ** 27

/** What the decode leaves for the caller's checks. */
export interface KernelResult {
  cursor: Int32Array
  escapeAt: number
  bitPos: number
  seen: number
}

/**
 * One tensor's residual decode in the WebAssembly kernel's memory. The stream's sections are
 * read straight into views of that memory (`symbols`, then `escapes`, then `low`), so nothing
 * is copied but the parent codes and the output. Regions, in order: state, cursors, column
 * bases, row table, parent codes, symbols (n + cols), escapes and low bits (together at most the
 * stream's remaining bytes + 8), output (2n). Whatever a lying stream makes the cursors, the
 * escape count or the bit position reach (at most 2n symbols, n escapes, 11n bits: every
 * element advances one of them once), the reads stay inside the later regions.
 */
export class DecodeSpace {
  readonly symbols: Uint8Array
  private readonly columnBase: number
  private readonly table: number
  private readonly parent: number
  private readonly escapes: number
  private readonly out: number
  private readonly kernelRows: KernelRows
  private low = 0
  private loaded = false

  private constructor(
    private readonly kernel: ResidualKernels,
    private readonly n: number,
    private readonly cols: number,
    predict: RowPredictor,
    streamRest: number,
  ) {
    this.columnBase = CURSORS + CURSOR_BYTES
    this.table = this.columnBase + 4 * cols
    const rowsBase = this.table + 4 * predict.table.length
    this.kernelRows = openKernelRows(kernel, rowsBase, predict, cols)
    this.parent = rowsBase + kernelRowsBytes(predict)
    const symbols = this.parent + n
    this.escapes = (symbols + n + cols + 1) & ~1
    this.out = (this.escapes + streamRest + 8 + 1) & ~1
    this.symbols = new Uint8Array(kernel.memory.buffer, symbols, n + cols)
  }

  /** Space for a tensor predicted by `predict`, or null where WebAssembly or the memory is unavailable. */
  static open(n: number, cols: number, predict: RowPredictor, streamRest: number): DecodeSpace | null {
    if (n > MAX_ELEMENTS) return null
    const kernel = kernelsWithMemory(CURSORS + CURSOR_BYTES + 4 * cols + 4 * predict.table.length + kernelRowsBytes(predict) + 2 * n + cols + streamRest + 12 + 2 * n)
    return kernel && new DecodeSpace(kernel, n, cols, predict, streamRest)
  }

  escapeView(count: number): Uint16Array {
    this.low = this.escapes + 2 * count
    return new Uint16Array(this.kernel.memory.buffer, this.escapes, count)
  }

  /** The low bits' view (after the escapes), followed by 4 zero bytes for the kernel's 32-bit reads. */
  lowView(length: number): Uint8Array {
    new Uint8Array(this.kernel.memory.buffer, this.low + length, 4).fill(0)
    return new Uint8Array(this.kernel.memory.buffer, this.low, length)
  }

  /** Copies the predictor's column bases and parent codes in, once. */
  private load(predict: RowPredictor): void {
    if (this.loaded) return
    const buffer = this.kernel.memory.buffer
    new Int32Array(buffer, this.columnBase, this.cols).set(predict.columnBase)
    new Uint8Array(buffer, this.parent, this.n).set(predict.parentCodes.subarray(0, this.n))
    this.loaded = true
  }

  /**
   * Every element's whole context ((k << 6) | id, its entry's bits 16 and up, no map) for the
   * adaptive coder, from row entries the kernel computes: residual-decode.ts's elementContexts
   * without its TypeScript prepare() per row.
   */
  contexts(rows: number, predict: RowPredictor): Uint16Array {
    this.load(predict)
    this.kernelRows.setMap(null)
    const { cols } = this
    const table = new Int32Array(this.kernel.memory.buffer, this.table, predict.table.length)
    const { columnBase, parentCodes } = predict
    const contexts = new Uint16Array(rows * cols)
    for (let r = 0, i = 0; r < rows; r++) {
      this.kernelRows.fill(r, this.parent + r * cols, this.columnBase, this.table)
      for (let j = 0; j < cols; j++, i++) contexts[i] = (table[(columnBase[j] as number) + (parentCodes[i] as number)] as number) >>> 16
    }
    return contexts
  }

  /**
   * Decodes every row into `out`: the predictor's entries carry table numbers (its contextMap),
   * `starts` are the tables' first symbols. 16-bit children come out as patterns
   * (fromOrdered) into a Uint16Array, codes as they are into a Uint8Array (the predictor's
   * indexing tells which).
   */
  decode(rows: number, predict: RowPredictor, starts: Int32Array, out: Uint16Array | Uint8Array): KernelResult {
    const { memory } = this.kernel
    const decodeRow = this.kernel.decodeRow[predict.indexing]
    const { n, cols } = this
    const buffer = memory.buffer
    const words = new Int32Array(buffer)
    words.fill(0, STATE / 4, STATE / 4 + 4)
    words.set(starts, CURSORS / 4)
    this.load(predict)
    this.kernelRows.setMap(predict.contextMap)
    const width = out.BYTES_PER_ELEMENT
    for (let r = 0; r < rows; r++) {
      this.kernelRows.fill(r, this.parent + r * cols, this.columnBase, this.table)
      decodeRow(this.out + width * r * cols, this.parent + r * cols, cols, this.columnBase, this.table, CURSORS, this.symbols.byteOffset, this.escapes, this.low, STATE)
    }
    out.set(width === 1 ? new Uint8Array(buffer, this.out, n) : new Uint16Array(buffer, this.out, n))
    return { cursor: words.slice(CURSORS / 4, CURSORS / 4 + starts.length), escapeAt: words[STATE / 4] as number, bitPos: words[STATE / 4 + 1] as number, seen: words[STATE / 4 + 2] as number }
  }
}

import { LANES, PEEK_ENTRIES, TABLE_NUMBERS } from './fused-code.js'
import { FAST_OUT_OVERRUN, FAST_SCRATCH_OVERRUN } from './fused-fast-code.js'
import { FUSED_ESCAPE_BITS, FUSED_ESCAPED, FUSED_LOOKUP, FUSED_POSITIONS, FUSED_POWERS, FUSED_SEEN, FUSED_TABLE, MAX_TABLE_ENTRIES, POWER_COUNT } from './fused-kernel-code.js'
import { streamPadding, type StaticRows } from './fused-rows.js'
import type { RowPredictor } from './half-predictor.js'
import { kernelsWithMemory, type FusedFastRowCall, type FusedRowCall, type ResidualKernels } from './kernel-module.js'
import { kernelRowsBytes, openKernelRows, type KernelRows } from './kernel-rows.js'
import { NATIVE_INDEXING, withNativeKernels } from './native-kernels.js'

/** The kernel's bit positions count from address 0 (the stream's bits plus a row's overrun) and must stay below 2^31. */
const MAX_POSITION = 2 ** 31
/**
 * Rows shorter than this stay with the WebAssembly kernels even where the native ones are
 * installed: a Node-API call costs about as much as a short row saves (babyllama fp16 16|8, rows
 * of 128 and 352 columns, decoded at 133 MB/s natively against 142 in one run).
 */
const NATIVE_MIN_COLS = 256

/**
 * One tensor's static decode in the WebAssembly kernel's memory, a slab at a time. Regions, in
 * order: the kernel's fixed ones (fused-kernel-code.ts: positions, seen, escape width, powers
 * of two, slots, wide entries, row table, decode lookups), one slab's bytes and zero padding
 * for a row's overrun, column bases, kernel rows, one slab's parent codes, the fast kernel's
 * scratch row, one slab's output. slab() copies a slab's bytes and parent codes in and its
 * output out, so the memory holds one slab (about 2^20 elements) however large the tensor, and
 * what the kernel reads and writes is still in cache when copied. It checks the lanes' bit
 * positions after every row, so a lying stream's reads stay within the slab and its padding.
 * Where @qchain/native's row kernel is installed (native-kernels.ts), it decodes rows of at
 * least NATIVE_MIN_COLS columns instead of the two WebAssembly row kernels, escapes included,
 * straight into the output.
 */
export class FusedSpace implements StaticRows {
  readonly entries: Int16Array
  readonly positions = new Int32Array(LANES)
  private stream: Uint8Array = new Uint8Array(0)
  private readonly kernelRows: KernelRows
  private readonly call: FusedRowCall
  private readonly fastCall: FusedFastRowCall
  /** The kernel's positions, its OR of values and the escapes' width. */
  private readonly state: Int32Array
  private readonly memory: Uint8Array
  /** The regions the native decoder is bound to per slab: see NativeKernels.bindDecode. */
  private readonly nativeLayout: Int32Array

  private constructor(
    kernel: ResidualKernels,
    private readonly cols: number,
    private readonly predict: RowPredictor,
    tables: number,
    private readonly target: Uint16Array | Uint8Array,
    private readonly at: SpaceLayout,
  ) {
    this.kernelRows = openKernelRows(kernel, at.kernelRows, predict, cols)
    const buffer = kernel.memory.buffer
    this.memory = new Uint8Array(buffer)
    this.state = new Int32Array(buffer, FUSED_POSITIONS, FUSED_POWERS / 4).fill(0)
    new Int32Array(buffer, FUSED_POWERS, POWER_COUNT).set(Array.from({ length: POWER_COUNT }, (_, k) => 1 << k))
    this.entries = new Int16Array(buffer, FUSED_LOOKUP, tables * PEEK_ENTRIES)
    new Int32Array(buffer, at.columnBase, cols).set(predict.columnBase)
    this.memory.fill(0, at.scratch + 4 * cols, at.scratch + 4 * cols + FAST_SCRATCH_OVERRUN)
    this.kernelRows.setMap(predict.contextMap)
    this.call = kernel.fusedRow[predict.indexing]
    this.fastCall = kernel.fusedFastRow[predict.indexing]
    this.nativeLayout = Int32Array.of(FUSED_POSITIONS, FUSED_SEEN, FUSED_ESCAPE_BITS, FUSED_TABLE, FUSED_LOOKUP, at.columnBase, cols)
  }

  /**
   * Space for a tensor of `cols` columns decoded in slabs of `slabRows` rows of at most
   * `slabBytes` each, predicted by `predict` (contextMap set), into `out`; or null where
   * WebAssembly or the memory is unavailable or the row table too long.
   */
  static open(cols: number, slabRows: number, predict: RowPredictor, tables: number, slabBytes: number, out: Uint16Array | Uint8Array): FusedSpace | null {
    const at = spaceLayout(cols, slabRows, predict, tables, slabBytes)
    if (8 * (at.stream + slabBytes) + 32 * cols >= MAX_POSITION || predict.table.length > MAX_TABLE_ENTRIES) return null
    const kernel = kernelsWithMemory(at.bytes)
    return kernel && new FusedSpace(kernel, cols, predict, tables, out, at)
  }

  setStream(stream: Uint8Array): void {
    this.stream = stream
  }

  slab(first: number, end: number, slabStart: number, ends: Float64Array, escapeBits: number): number {
    const { cols, positions, state, call, fastCall, memory, at, target } = this
    const width = target.BYTES_PER_ELEMENT
    const slabBytes = (ends[LANES - 1] as number) / 8
    memory.set(this.stream.subarray(slabStart, slabStart + slabBytes), at.stream)
    memory.fill(0, at.stream + slabBytes, at.stream + slabBytes + streamPadding(cols))
    // the parent's codes and `target` start at the predictor's first row (a band's)
    const held = first - this.predict.firstRow
    memory.set(this.predict.parentCodes.subarray(held * cols, (held + end - first) * cols), at.parent)
    // the kernel's positions count from address 0, so do the ends here
    const base = 8 * at.stream
    const limits = ends.map((laneEnd) => laneEnd + base)
    for (let x = 0; x < LANES; x++) state[x] = (positions[x] as number) + base
    state[FUSED_ESCAPE_BITS / 4] = escapeBits
    const indexing = NATIVE_INDEXING[this.predict.indexing]
    // the native kernel takes output byte offsets as 32-bit integers
    let overrun =
      cols >= NATIVE_MIN_COLS && target.byteLength < 2 ** 32
        ? withNativeKernels(
            (native) => native.bindDecode(memory.buffer as ArrayBuffer, this.nativeLayout, target),
            (native, check) => this.rows(first, end, limits, (r, codes, phase) => check(native.decodeRow(width * (r - first + held) * cols, codes, cols, phase, indexing))),
          )
        : null
    if (overrun === null) {
      overrun = this.rows(first, end, limits, (r, codes, phase) => {
        const out = at.out + width * (r - first) * cols
        fastCall(out, codes, cols, at.columnBase, phase, at.scratch)
        if (state[FUSED_ESCAPED / 4]) call(out, codes, cols, at.columnBase, phase)
      })
      if (overrun < 0) {
        const values = width === 1 ? memory.subarray(at.out, at.out + (end - first) * cols) : new Uint16Array(memory.buffer, at.out, (end - first) * cols)
        target.set(values, held * cols)
      }
    }
    for (let x = 0; x < LANES; x++) positions[x] = (state[x] as number) - base
    return overrun
  }

  /** Fills each row's entries and decodes it with `decode`, checking the lanes after each: the first row that passes an end, or -1. */
  private rows(first: number, end: number, limits: Float64Array, decode: (row: number, codes: number, phase: number) => void): number {
    const { cols, kernelRows, state, at } = this
    for (let r = first, phase = 0; r < end; r++, phase = (phase + cols) & (LANES - 1)) {
      const codes = at.parent + (r - first) * cols
      kernelRows.fill(r, codes, at.columnBase, FUSED_TABLE)
      decode(r, codes, phase)
      if (passedEnd(state, limits)) return r
    }
    return -1
  }

  seen(): number {
    return this.state[FUSED_SEEN / 4] as number
  }
}

/** Whether a lane's position in `state` lies past its limit. */
function passedEnd(state: Int32Array, limits: Float64Array): boolean {
  for (let x = 0; x < LANES; x++) if ((state[x] as number) > (limits[x] as number)) return true
  return false
}

/** Where FusedSpace's regions start (byte addresses) and the memory they take. */
interface SpaceLayout {
  stream: number
  columnBase: number
  kernelRows: number
  parent: number
  scratch: number
  out: number
  bytes: number
}

function spaceLayout(cols: number, slabRows: number, predict: RowPredictor, tables: number, slabBytes: number): SpaceLayout {
  const slabElements = slabRows * cols
  const stream = FUSED_LOOKUP + 2 * tables * PEEK_ENTRIES
  const columnBase = (stream + slabBytes + streamPadding(cols) + 3) & ~3
  const kernelRows = columnBase + 4 * cols
  const parent = kernelRows + kernelRowsBytes(predict)
  const scratch = (parent + slabElements + 15) & ~15
  const out = scratch + 4 * cols + FAST_SCRATCH_OVERRUN
  // the native decoder's bindDecode() wants room for every lookup an entry's table number can name
  return { stream, columnBase, kernelRows, parent, scratch, out, bytes: Math.max(out + 2 * slabElements + FAST_OUT_OVERRUN, FUSED_LOOKUP + 2 * TABLE_NUMBERS * PEEK_ENTRIES) }
}

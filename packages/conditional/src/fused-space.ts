import { LANES, PEEK_ENTRIES } from './fused-code.js'
import { FUSED_ESCAPE_BITS, FUSED_LOOKUP, FUSED_POSITIONS, FUSED_POWERS, FUSED_SEEN, FUSED_TABLE, MAX_TABLE_ENTRIES, POWER_COUNT } from './fused-kernel-code.js'
import { streamPadding, type StaticRows } from './fused-rows.js'
import type { RowPredictor } from './half-predictor.js'
import { kernelsWithMemory, type FusedRowCall, type ResidualKernels } from './kernel-module.js'
import { kernelRowsBytes, openKernelRows, type KernelRows } from './kernel-rows.js'

/** The kernel's bit positions count from address 0 (the stream's bits plus a row's overrun) and must stay below 2^31. */
const MAX_POSITION = 2 ** 31

/**
 * One tensor's static decode in the WebAssembly kernel's memory. Regions, in order: the
 * kernel's fixed ones (fused-kernel-code.ts: positions, seen, escape width, powers of two, row
 * table, decode lookups), the slabs' bytes and zero padding for a row's overrun, column bases,
 * kernel rows, parent codes, output (2n). slab() checks the lanes' bit positions after
 * every row, so a lying stream's reads stay within the slabs and their padding.
 */
export class FusedSpace implements StaticRows {
  readonly entries: Int16Array
  readonly stream: Uint8Array
  readonly positions = new Int32Array(LANES)
  private readonly columnBase: number
  private readonly parent: number
  private readonly out: number
  private readonly kernelRows: KernelRows
  private readonly call: FusedRowCall
  /** The kernel's positions, its OR of values and the escapes' width. */
  private readonly state: Int32Array

  private constructor(
    private readonly kernel: ResidualKernels,
    private readonly n: number,
    private readonly cols: number,
    predict: RowPredictor,
    tables: number,
    streamBytes: number,
    private readonly target: Uint16Array | Uint8Array,
  ) {
    const stream = FUSED_LOOKUP + 2 * tables * PEEK_ENTRIES
    this.columnBase = (stream + streamBytes + streamPadding(cols) + 3) & ~3
    const rowsBase = this.columnBase + 4 * cols
    this.kernelRows = openKernelRows(kernel, rowsBase, predict, cols)
    this.parent = rowsBase + kernelRowsBytes(predict)
    this.out = (this.parent + n + 1) & ~1
    const buffer = kernel.memory.buffer
    this.state = new Int32Array(buffer, FUSED_POSITIONS, FUSED_POWERS / 4).fill(0)
    new Int32Array(buffer, FUSED_POWERS, POWER_COUNT).set(Array.from({ length: POWER_COUNT }, (_, k) => 1 << k))
    this.entries = new Int16Array(buffer, FUSED_LOOKUP, tables * PEEK_ENTRIES)
    this.stream = new Uint8Array(buffer, stream, streamBytes + streamPadding(cols))
    this.stream.fill(0, streamBytes)
    new Int32Array(buffer, this.columnBase, cols).set(predict.columnBase)
    new Uint8Array(buffer, this.parent, n).set(predict.parentCodes.subarray(0, n))
    this.kernelRows.setMap(predict.contextMap)
    this.call = kernel.fusedRow[predict.indexing]
  }

  /** Space for a tensor predicted by `predict` (contextMap set) decoding into `out`, or null where WebAssembly or the memory is unavailable or the row table too long. */
  static open(n: number, cols: number, predict: RowPredictor, tables: number, streamBytes: number, out: Uint16Array | Uint8Array): FusedSpace | null {
    const stream = FUSED_LOOKUP + 2 * tables * PEEK_ENTRIES
    if (8 * (stream + streamBytes) + 32 * cols >= MAX_POSITION || predict.table.length > MAX_TABLE_ENTRIES) return null
    const bytes = stream + streamBytes + streamPadding(cols) + 3 + 4 * cols + kernelRowsBytes(predict) + n + 1 + 2 * n
    const kernel = kernelsWithMemory(bytes)
    return kernel && new FusedSpace(kernel, n, cols, predict, tables, streamBytes, out)
  }

  slab(first: number, end: number, slabStart: number, ends: Float64Array, escapeBits: number): number {
    const { cols, positions, state, kernelRows, call, parent, columnBase } = this
    const width = this.target.BYTES_PER_ELEMENT
    // the kernel's positions count from address 0, so do the ends here
    const base = 8 * (this.stream.byteOffset + slabStart)
    const limits = ends.map((laneEnd) => laneEnd + base)
    for (let x = 0; x < LANES; x++) state[x] = (positions[x] as number) + base
    state[FUSED_ESCAPE_BITS / 4] = escapeBits
    let overrun = -1
    for (let r = first, phase = 0; r < end; r++, phase = (phase + cols) & (LANES - 1)) {
      const codes = parent + r * cols
      kernelRows.fill(r, codes, columnBase, FUSED_TABLE)
      call(this.out + width * r * cols, codes, cols, columnBase, phase)
      if (passedEnd(state, limits)) {
        overrun = r
        break
      }
    }
    for (let x = 0; x < LANES; x++) positions[x] = (state[x] as number) - base
    return overrun
  }

  seen(): number {
    return this.state[FUSED_SEEN / 4] as number
  }

  finish(): void {
    const buffer = this.kernel.memory.buffer
    this.target.set(this.target.BYTES_PER_ELEMENT === 1 ? new Uint8Array(buffer, this.out, this.n) : new Uint16Array(buffer, this.out, this.n))
  }
}

/** Whether a lane's position in `state` lies past its limit. */
function passedEnd(state: Int32Array, limits: Float64Array): boolean {
  for (let x = 0; x < LANES; x++) if ((state[x] as number) > (limits[x] as number)) return true
  return false
}

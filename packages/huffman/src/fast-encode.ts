import { HISTOGRAM_LANES, WRITER_MAX_BITS, histogramFunction, streamWriterFunction } from './encode-kernel-code.js'
import { STREAM_COUNT, type SymbolArray } from './format.js'
import { nativeHuffman, type NativeHuffman } from './native-huffman.js'
import { assembleModule, wasmApi, type WasmMemory } from './wasm-binary.js'

type HistogramCall = (src: number, count: number, counts: number) => void
type WriterCall = (src: number, from: number, to: number, codes: number, out: number, state: number) => void

/**
 * Memory layout: per-symbol codes (a 16-bit alphabet's worth), the counters (eight 8-bit lanes
 * or one 16-bit table), the end-address slot, the block's symbols, then the bit streams (at
 * most WRITER_MAX_BITS bits per symbol, plus a byte per stream and the 8-byte store overhang).
 * The memory grows to the largest block seen and is kept for reuse.
 */
const CODES = 0
const COUNTS = CODES + 4 * 65536
const STATE = COUNTS + 4 * 65536
const SYMBOLS = STATE + 16
const PAGE = 65536

interface Kernel {
  memory: WasmMemory
  histogram: Record<1 | 2, HistogramCall>
  write: Record<1 | 2, WriterCall>
}

let kernel: Kernel | null | undefined

/** The counting and stream-writing functions, under the 4 KB browsers compile synchronously on a main thread. */
export function encodeModule(): Uint8Array {
  const functions = [histogramFunction('histogram8', 1), histogramFunction('histogram16', 2), streamWriterFunction('write8', 1), streamWriterFunction('write16', 2)]
  return assembleModule(functions, Math.ceil(SYMBOLS / PAGE))
}

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel
  const api = wasmApi()
  try {
    if (!api) throw new Error('no WebAssembly')
    const exports = new api.Instance(new api.Module(encodeModule())).exports
    const call = <T>(name: string) => exports[name] as T
    kernel = {
      memory: exports.memory as WasmMemory,
      histogram: { 1: call<HistogramCall>('histogram8'), 2: call<HistogramCall>('histogram16') },
      write: { 1: call<WriterCall>('write8'), 2: call<WriterCall>('write16') },
    }
  } catch {
    kernel = null
  }
  return kernel
}

/** A kernel over one block's symbols: counts them, then writes its streams. */
export interface BlockKernel {
  /** Counts per symbol of the whole alphabet of the width, like histogram(). */
  histogram(): Uint32Array
  /**
   * Writes the four streams back to back, for codes without escape of at most WRITER_MAX_BITS
   * bits (else returns null); returns the streams' bytes (a view to copy before the next block)
   * and each stream's end offset.
   */
  writeStreams(codeOf: Uint32Array, longestCode: number, hasEscape: boolean): { payload: Uint8Array; ends: number[] } | null
}

/** The native kernels where installed, else the WebAssembly ones; null where neither runs. */
export function blockKernel(symbols: SymbolArray, from: number, to: number): BlockKernel | null {
  const native = nativeHuffman()
  return native ? new NativeBlock(native, symbols, from, to) : FastBlock.load(symbols, from, to)
}

/** The native writer's output, kept from block to block like the WebAssembly kernel's memory. */
let nativeOut = new Uint8Array(0)

/** One block's symbols counted and written by the native kernels, where they lie. */
class NativeBlock implements BlockKernel {
  constructor(
    private readonly native: NativeHuffman,
    private readonly symbols: SymbolArray,
    private readonly from: number,
    private readonly to: number,
  ) {}

  histogram(): Uint32Array {
    const counts = new Uint32Array(this.symbols.BYTES_PER_ELEMENT === 1 ? 256 : 65536)
    this.native.huffmanHistogram(this.symbols, this.from, this.to, counts)
    return counts
  }

  writeStreams(codeOf: Uint32Array, longestCode: number, hasEscape: boolean): { payload: Uint8Array; ends: number[] } | null {
    if (hasEscape || longestCode > WRITER_MAX_BITS) return null
    // room for the longest case, a partial byte per stream and the writer's 8-byte stores
    const room = Math.ceil(((this.to - this.from) * longestCode) / 8) + STREAM_COUNT + 8
    if (nativeOut.length < room) nativeOut = new Uint8Array(room)
    const out = nativeOut.subarray(0, room)
    const ends = new Int32Array(STREAM_COUNT)
    const bytes = this.native.huffmanStreams(this.symbols, this.from, this.to, codeOf, out, ends)
    return { payload: out.subarray(0, bytes), ends: Array.from(ends) }
  }
}

/** One block's symbols copied into the encode kernel's memory: counts them, then writes its streams. */
class FastBlock implements BlockKernel {
  private constructor(
    private readonly fast: Kernel,
    private readonly width: 1 | 2,
    private readonly count: number,
  ) {}

  /** Copies symbols[from..to) in; null where WebAssembly or the memory is unavailable. */
  static load(symbols: SymbolArray, from: number, to: number): FastBlock | null {
    const fast = loadKernel()
    if (!fast) return null
    const width = symbols.BYTES_PER_ELEMENT as 1 | 2
    const count = to - from
    const needed = streamsAddress(count, width) + Math.ceil((count * WRITER_MAX_BITS) / 8) + STREAM_COUNT + 8
    const have = fast.memory.buffer.byteLength
    if (needed > have) {
      try {
        fast.memory.grow(Math.ceil((needed - have) / PAGE))
      } catch {
        return null
      }
    }
    const target = width === 1 ? new Uint8Array(fast.memory.buffer, SYMBOLS, count) : new Uint16Array(fast.memory.buffer, SYMBOLS, count)
    target.set(symbols.subarray(from, to))
    return new FastBlock(fast, width, count)
  }

  histogram(): Uint32Array {
    const { memory, histogram } = this.fast
    const lanes = this.width === 1 ? HISTOGRAM_LANES : 1
    const size = this.width === 1 ? 256 : 65536
    const counters = new Uint32Array(memory.buffer, COUNTS, lanes * size)
    counters.fill(0)
    histogram[this.width](SYMBOLS, this.count, COUNTS)
    const counts = counters.slice(0, size)
    for (let lane = 1; lane < lanes; lane++) {
      for (let s = 0; s < size; s++) counts[s] = (counts[s] as number) + (counters[lane * size + s] as number)
    }
    return counts
  }

  writeStreams(codeOf: Uint32Array, longestCode: number, hasEscape: boolean): { payload: Uint8Array; ends: number[] } | null {
    if (hasEscape || longestCode > WRITER_MAX_BITS) return null
    const { memory, write } = this.fast
    new Uint32Array(memory.buffer, CODES, codeOf.length).set(codeOf)
    const start = streamsAddress(this.count, this.width)
    const quarter = Math.floor(this.count / STREAM_COUNT)
    const state = new Int32Array(memory.buffer, STATE, 1)
    const ends: number[] = []
    for (let k = 0, at = start; k < STREAM_COUNT; k++) {
      write[this.width](SYMBOLS, k * quarter, k === STREAM_COUNT - 1 ? this.count : (k + 1) * quarter, CODES, at, STATE)
      at = state[0] as number
      ends.push(at - start)
    }
    return { payload: new Uint8Array(memory.buffer, start, ends[STREAM_COUNT - 1] as number), ends }
  }
}

function streamsAddress(count: number, width: number): number {
  return (SYMBOLS + count * width + 7) & ~7
}

import { createRequire } from 'node:module'

/**
 * The native kernels' calls (native/addon.c), over a WebAssembly memory's bytes laid out by
 * @qchain/conditional (FusedSpace for the static decode, EncodeSpace for the first pass). Each
 * kernel matches the WebAssembly and TypeScript loops byte for byte. A thread has one binding:
 * each bind*() replaces it, checks every region against the memory's length (a RangeError
 * otherwise) and holds the buffers until unbind() or the next bind; a call whose binding is of
 * another kind, or whose buffers were detached since, or whose reads or writes could leave the
 * memory (or the output), returns -1 and writes nothing.
 */
export interface NativeKernels {
  /** layout: positions, seen, escape width, row table, decode lookups, column bases (byte addresses), then the column count. */
  bindDecode(buffer: ArrayBuffer, layout: Int32Array, output: Uint16Array | Uint8Array): void
  /** Decodes a row to byte `out` of the output. indexing: 0 by parent code, 1 by group and code, 2 the same for 8-bit codes. */
  decodeRow(out: number, parent: number, count: number, phase: number, indexing: number): number
  /** layout: row table, column bases (byte addresses), column count, histograms (two lanes), state (byte addresses), context count. */
  bindEncode(buffer: ArrayBuffer, layout: Int32Array): void
  /** The first pass over one row: symbols, contexts, counts, escapes and low bits (byte addresses). */
  encodeRow(values: number, parent: number, count: number, symbols: number, contexts: number, escapes: number, indexing: number): number
  /** The memory alone, for emitSlab. */
  bindMemory(buffer: ArrayBuffer): void
  /** One slab's four lanes from the first pass (byte addresses; the state: escapes taken, low bit position, then each lane's end). */
  emitSlab(symbols: number, contexts: number, from: number, to: number, codes: number, escapes: number, low: number, state: number, out: number, childBits: number, laneBytes: number): number
  unbind(): void
  /**
   * Range-codes symbols under their contexts with conditional's adaptive model (a RangeError when
   * the plan or a context is invalid). model: the plan's first shared node and node count, node
   * start, rate steps, both layouts' tree ends, both layouts' trees (9 each), then the rates.
   */
  adaptiveEncode(symbols: Uint8Array, contexts: Uint16Array, base: Int32Array, layout: Uint8Array, model: Int32Array): ArrayBuffer
  /**
   * @qchain/huffman's fast prefix of a four-stream block (its decodeFastPrefix, without the copies
   * into WebAssembly memory): symbols from tables indexed by the next 12 bits, stream k's to
   * out[outStart + k * quarter ..], for as long as every 8-byte load stays inside src; advances
   * positions (bits) and returns how many symbols each stream got. A RangeError for arguments
   * that do not fit together.
   */
  huffmanPrefix(src: Uint8Array, lengths: Uint8Array, symbols: Uint8Array | Uint16Array, out: Uint8Array | Uint16Array, outStart: number, quarter: number, positions: Int32Array): number
  /** @qchain/huffman's block histogram: adds the counts of symbols from..to-1 to `counts` (256 or 65536 of them). */
  huffmanHistogram(symbols: Uint8Array | Uint16Array, from: number, to: number, counts: Uint32Array): void
  /**
   * @qchain/huffman's four streams of a block, byte for byte: symbols from..to-1 in quarters (the
   * last takes the rest), codes[s] = (bit-reversed code << 4) | length, at most 14 bits, written
   * back to back into `out`, which needs room for the longest case and 8 bytes more; each
   * stream's end offset into `ends`. Returns the payload's bytes.
   */
  huffmanStreams(symbols: Uint8Array | Uint16Array, from: number, to: number, codes: Uint32Array, out: Uint8Array, ends: Int32Array): number
}

/** Why the kernels are not loaded, when they are not. */
export type NativeStatus = { loaded: true; kernels: NativeKernels } | { loaded: false; reason: string }

let status: NativeStatus | undefined

/**
 * The compiled kernels, built by node-gyp when the package is installed; not loaded when
 * QCHAIN_NATIVE=0 or the build is missing (no compiler at install time, another platform's build).
 */
export function loadNative(): NativeStatus {
  if (status) return status
  if (process.env.QCHAIN_NATIVE === '0') return (status = { loaded: false, reason: 'QCHAIN_NATIVE=0' })
  try {
    const kernels = createRequire(import.meta.url)('../build/Release/qchain_native.node') as NativeKernels
    status = { loaded: true, kernels }
  } catch (error) {
    status = { loaded: false, reason: error instanceof Error ? error.message : String(error) }
  }
  return status
}

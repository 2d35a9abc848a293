import type { DecodeTable } from './decode-table.js'
import { KERNEL_BITS, LENGTHS_ADDRESS, SYMBOLS_ADDRESS, SYMBOLS_PER_ROUND, kernelFunction } from './fast-kernel-code.js'
import { STREAM_COUNT, type SymbolArray } from './format.js'
import { nativeHuffman } from './native-huffman.js'
import { assembleModule, wasmApi, type WasmMemory } from './wasm-binary.js'

type KernelCall = (src: number, out: number, quarterBytes: number, rounds: number, state: number) => void

/**
 * Memory layout: the length and symbol tables, the four bit positions, the block's bytes, the
 * output. The memory grows to the largest block seen and is kept for reuse.
 */
const STATE_ADDRESS = SYMBOLS_ADDRESS + (2 << KERNEL_BITS)
const SRC_ADDRESS = STATE_ADDRESS + 16
/** Zero bytes after the streams so the last peeks read inside what was written. */
const PEEK_PADDING = 8
const PAGE = 65536
/** Shorter stretches are not worth a call; the careful loop takes them. */
const MIN_ROUNDS = 4

interface Kernel {
  memory: WasmMemory
  decode: Record<1 | 2, KernelCall>
  /** Views of memory.buffer, which is replaced whenever the memory grows. */
  views?: { bytes: Uint8Array; halves: Uint16Array; state: Int32Array }
}

let kernel: Kernel | null | undefined

/** Compiles the kernel once; null where WebAssembly is unavailable (then the careful loop does all the work). */
function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel
  const api = wasmApi()
  try {
    if (!api) throw new Error('no WebAssembly')
    const module = new api.Module(assembleModule([kernelFunction('decode8', 1), kernelFunction('decode16', 2)], 2))
    const exports = new api.Instance(module).exports
    kernel = { memory: exports.memory as WasmMemory, decode: { 1: exports.decode8 as KernelCall, 2: exports.decode16 as KernelCall } }
  } catch {
    kernel = null
  }
  return kernel
}

/**
 * Decodes as many leading symbols of every stream as whole fast rounds allow, for tables
 * without escape and codes of at most 12 bits, and advances `positions` (bit offsets into
 * src). Returns how many symbols each stream got (the same for all four); the caller's
 * careful loop decodes the rest and checks every stream's end.
 */
export function decodeFastPrefix(src: Uint8Array, table: DecodeTable, out: SymbolArray, outStart: number, quarter: number, positions: Int32Array): number {
  if (table.hasEscape || table.bits > KERNEL_BITS || quarter < MIN_ROUNDS * SYMBOLS_PER_ROUND) return 0
  const native = nativeHuffman()
  if (native) {
    const width = out.BYTES_PER_ELEMENT as 1 | 2
    const lengths = new Uint8Array(1 << KERNEL_BITS)
    const symbols = width === 1 ? new Uint8Array(1 << KERNEL_BITS) : new Uint16Array(1 << KERNEL_BITS)
    writeKernelTables(table, lengths, symbols)
    return native.huffmanPrefix(src, lengths, symbols, out, outStart, quarter, positions)
  }
  const fast = loadKernel()
  if (!fast) return 0
  const width = out.BYTES_PER_ELEMENT as 1 | 2
  const outAddress = (SRC_ADDRESS + src.length + PEEK_PADDING + 7) & ~7
  const quarterBytes = quarter * width
  const needed = outAddress + STREAM_COUNT * quarterBytes
  if (needed > fast.memory.buffer.byteLength) {
    try {
      fast.memory.grow(Math.ceil((needed - fast.memory.buffer.byteLength) / PAGE))
    } catch {
      return 0 // out of memory for the copy: the careful loop decodes in place instead
    }
  }
  const { bytes, halves, state } = views(fast)
  bytes.set(src, SRC_ADDRESS)
  bytes.fill(0, SRC_ADDRESS + src.length, SRC_ADDRESS + src.length + PEEK_PADDING)
  const tableSize = 1 << KERNEL_BITS
  writeKernelTables(table, bytes.subarray(LENGTHS_ADDRESS, LENGTHS_ADDRESS + tableSize), width === 1 ? bytes.subarray(SYMBOLS_ADDRESS, SYMBOLS_ADDRESS + tableSize) : halves.subarray(SYMBOLS_ADDRESS / 2, SYMBOLS_ADDRESS / 2 + tableSize))
  state.set(positions)

  // Stretches of rounds in which no stream can peek past the padding or write past its own
  // quarter, however its bits decode; a lying stream just yields garbage the end checks refuse.
  const roundBits = SYMBOLS_PER_ROUND * table.bits
  let done = 0
  for (;;) {
    const furthest = Math.max(state[0] as number, state[1] as number, state[2] as number, state[3] as number)
    const rounds = Math.min(Math.floor((8 * src.length - furthest) / roundBits) + 1, Math.floor((quarter - done) / SYMBOLS_PER_ROUND))
    if (rounds < MIN_ROUNDS) break
    fast.decode[width](SRC_ADDRESS, outAddress + done * width, quarterBytes, rounds, STATE_ADDRESS)
    done += rounds * SYMBOLS_PER_ROUND
  }
  positions.set(state)
  const decoded = width === 1 ? bytes : halves
  const first = outAddress / width
  for (let k = 0; k < STREAM_COUNT; k++) out.set(decoded.subarray(first + k * quarter, first + k * quarter + done), outStart + k * quarter)
  return done
}

function views(fast: Kernel): NonNullable<Kernel['views']> {
  const buffer = fast.memory.buffer
  if (fast.views?.bytes.buffer !== buffer) fast.views = { bytes: new Uint8Array(buffer), halves: new Uint16Array(buffer), state: new Int32Array(buffer, STATE_ADDRESS, STREAM_COUNT) }
  return fast.views
}

/**
 * The kernels' tables, indexed by the next 12 stream bits: code lengths and symbols (2^12
 * each). A shorter table repeats, as the bits past its length do not matter.
 */
function writeKernelTables(table: DecodeTable, lengths: Uint8Array, symbols: Uint8Array | Uint16Array): void {
  const { entries } = table
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as number
    lengths[i] = entry & 15
    symbols[i] = entry >>> 4
  }
  for (let filled = entries.length; filled < 1 << KERNEL_BITS; filled *= 2) {
    lengths.copyWithin(filled, 0, filled)
    symbols.copyWithin(filled, 0, filled)
  }
}

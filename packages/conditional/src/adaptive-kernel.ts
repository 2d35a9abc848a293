import { assembleModule, wasmApi, type WasmMemory } from '@qchain/huffman'
import { ADAPTIVE_CONTEXTS, ADAPTIVE_LAYOUTS, ADAPTIVE_NODES, ADAPTIVE_RATES, ADAPTIVE_STATE, adaptiveDecodeFunction } from './adaptive-kernel-code.js'
import { makeRoom } from './memory-room.js'
import { BUCKETS, LAYOUTS, MAX_CONTEXT, NODE_START, planNodes, RATE_STEPS, RATES } from './adaptive-model.js'

type DecodeCall = (contexts: number, symbols: number, count: number, pos: number, end: number, code: number, shared: number) => void

interface AdaptiveKernel {
  memory: WasmMemory
  decode: DecodeCall
}

/**
 * Keeps the kernel's byte position inside an unsigned i32 however far a stream makes it run past
 * its end: at most 2 bytes per decision (range >= 256 after any bit), 15 decisions per symbol.
 */
const MAX_ELEMENTS = 2 ** 25

let kernel: AdaptiveKernel | null | undefined

/** The adaptive decode module, with its own memory (under 4 KB, so browsers compile it synchronously). */
export function adaptiveKernelModule(): Uint8Array {
  return assembleModule([adaptiveDecodeFunction('decode')], 1)
}

/** Assembles the kernel once and writes its constant tables; null where WebAssembly is unavailable. */
function loadKernel(): AdaptiveKernel | null {
  if (kernel !== undefined) return kernel
  const api = wasmApi()
  try {
    if (!api) throw new Error('no WebAssembly')
    const { exports } = new api.Instance(new api.Module(adaptiveKernelModule()))
    kernel = { memory: exports.memory as WasmMemory, decode: exports.decode as DecodeCall }
    writeTables(kernel.memory.buffer)
  } catch {
    kernel = null
  }
  return kernel
}

/** The kernel with at least `bytes` of memory, or null (no WebAssembly, too large, or out of memory). */
function kernelWithMemory(bytes: number): AdaptiveKernel | null {
  const loaded = loadKernel()
  return loaded && makeRoom(loaded.memory, bytes) ? loaded : null
}

/** The rates with each count's successor (as its entry's offset, capped as in adaptive-model.ts), and the layouts' tree ends and offsets. */
function writeTables(buffer: ArrayBuffer): void {
  const rates = new Int32Array(buffer, ADAPTIVE_RATES, RATES.length)
  for (let n = 0; n < RATES.length; n++) rates[n] = (RATES[n] as number) | ((4 * Math.min(n + 1, RATE_STEPS)) << 16)
  const layouts = new Int32Array(buffer, ADAPTIVE_LAYOUTS, 2 * BUCKETS)
  LAYOUTS.forEach(({ treeEnd, trees }, kind) => {
    layouts[BUCKETS * kind] = treeEnd
    for (let b = 1; b < BUCKETS; b++) layouts[BUCKETS * kind + b] = 4 * ((trees[b] as number) - 1)
  })
}

/**
 * AdaptiveModel's decode of bytes[start, end) into `symbols` in the WebAssembly kernel: whether
 * the range coder ended cleanly, or undefined where the kernel is unavailable. Memory after the
 * fixed regions: nodes, contexts (2n), symbols (n), the stream and one zero byte that every read
 * past its end reads.
 */
export function decodeAdaptiveInKernel(bytes: Uint8Array, start: number, end: number, contexts: Uint16Array, symbols: Uint8Array): boolean | undefined {
  const n = contexts.length
  if (n > MAX_ELEMENTS) return undefined
  const plan = planNodes(contexts)
  const length = end - start
  const contextsAt = ADAPTIVE_NODES + 4 * plan.count
  const symbolsAt = contextsAt + 2 * n
  const streamAt = symbolsAt + n
  const loaded = kernelWithMemory(streamAt + length + 1)
  if (!loaded) return undefined
  const { buffer } = loaded.memory
  const firstNodes = new Int32Array(buffer, ADAPTIVE_CONTEXTS, MAX_CONTEXT)
  for (let c = 0; c < MAX_CONTEXT; c++) {
    const base = plan.base[c] as number
    if (base >= 0) firstNodes[c] = (ADAPTIVE_NODES + 4 * base) | (plan.layout[c] as number)
  }
  new Int32Array(buffer, ADAPTIVE_NODES, plan.count).fill(NODE_START)
  new Uint16Array(buffer, contextsAt, n).set(contexts)
  const stream = new Uint8Array(buffer, streamAt, length + 1)
  stream.set(bytes.subarray(start, end))
  stream[length] = 0
  // the code register's first 4 bytes, zeros past the end as in RangeDecoder
  let code = 0
  for (let i = 0; i < 4; i++) code = code * 256 + (i < length ? (stream[i] as number) : 0)
  loaded.decode(contextsAt, symbolsAt, n, streamAt + 4, streamAt + length, code, ADAPTIVE_NODES + 4 * plan.shared)
  symbols.set(new Uint8Array(buffer, symbolsAt, n))
  const [pos, finalCode] = new Uint32Array(buffer, ADAPTIVE_STATE, 2)
  return pos === streamAt + length && finalCode === 0
}

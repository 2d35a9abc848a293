import { assembleModule, wasmApi, type WasmFunction, type WasmMemory } from '@qchain/huffman'
import { encodeRowFunction, groupFunction } from './encode-kernel-code.js'
import { residualRowFunction } from './decode-kernel-code.js'
import type { TableIndexing } from './half-predictor.js'
import type { HalfFormat } from './half.js'
import { quantEntriesFunction } from './quant-entries-code.js'

export type DecodeRowCall = (out: number, parent: number, count: number, columnBase: number, table: number, cursors: number, symbols: number, escapes: number, low: number, state: number) => void
export type EncodeRowCall = (values: number, parent: number, count: number, columnBase: number, table: number, symbols: number, contexts: number, histograms: number, escapes: number, state: number) => void
export type QuantEntriesCall = (codes: number, count: number, columnBase: number, groupOf: number, scales: number, zeros: number, lambdas: number, stamps: number, tag: number, table: number, map: number) => void
export type GroupCall = (symbols: number, contexts: number, count: number, tableOf: number, cursors: number, out: number) => void

/** The residual codec's kernels, over one memory that grows to the largest tensor seen and is kept. */
export interface ResidualKernels {
  memory: WasmMemory
  /** By indexing: 16-bit children (fromOrdered) for 'parent' and 'both', codes for 'column'. */
  decodeRow: Record<TableIndexing, DecodeRowCall>
  /** By indexing: 16-bit children for 'parent' and 'both', codes for 'column'. */
  encodeRow: Record<TableIndexing, EncodeRowCall>
  group: GroupCall
  /** A GPTQ parent's row entries for an fp16 or bf16 child. */
  quantEntries: Record<HalfFormat, QuantEntriesCall>
}

const PAGE = 65536
/** Memory beyond this is not asked for (i32 addresses); the TypeScript loops take such tensors. */
const MAX_MEMORY = 2 ** 31

let kernels: ResidualKernels | null | undefined

type Exports = Record<string, unknown>
const indexings: TableIndexing[] = ['parent', 'column', 'both']

/** The decode, encode and row-entries modules, each importing env.memory. */
export function kernelModules(): Uint8Array[] {
  const assemble = (functions: WasmFunction[]) => assembleModule(functions, 1, { importMemory: true })
  return [
    assemble(indexings.map((indexing) => residualRowFunction(indexing, indexing))),
    assemble([...indexings.map((indexing) => encodeRowFunction(indexing, indexing, indexing === 'column' ? 1 : 2)), groupFunction('group')]),
    assemble([quantEntriesFunction('f16', 'f16'), quantEntriesFunction('bf16', 'bf16')]),
  ]
}

/** Assembles the kernels once; null where WebAssembly is unavailable. */
function loadKernels(): ResidualKernels | null {
  if (kernels !== undefined) return kernels
  const api = wasmApi()
  try {
    if (!api) throw new Error('no WebAssembly')
    // Modules of under 4 KB each (browsers' main threads compile no larger ones synchronously) over one memory.
    const memory = new api.Memory({ initial: 1 })
    const [decode, encode, entries] = kernelModules().map((bytes) => new api.Instance(new api.Module(bytes), { env: { memory } }).exports) as [Exports, Exports, Exports]
    const byIndexing = <T>(exports: Exports) => Object.fromEntries(indexings.map((indexing) => [indexing, exports[indexing]])) as Record<TableIndexing, T>
    kernels = {
      memory,
      decodeRow: byIndexing<DecodeRowCall>(decode),
      encodeRow: byIndexing<EncodeRowCall>(encode),
      group: encode.group as GroupCall,
      quantEntries: { f16: entries.f16 as QuantEntriesCall, bf16: entries.bf16 as QuantEntriesCall },
    }
  } catch {
    kernels = null
  }
  return kernels
}

/** The kernels with at least `bytes` of memory, or null (no WebAssembly, too large, or out of memory). */
export function kernelsWithMemory(bytes: number): ResidualKernels | null {
  const loaded = loadKernels()
  if (!loaded || bytes > MAX_MEMORY) return null
  const have = loaded.memory.buffer.byteLength
  if (bytes > have) {
    try {
      loaded.memory.grow(Math.ceil((bytes - have) / PAGE))
    } catch {
      return null
    }
  }
  return loaded
}

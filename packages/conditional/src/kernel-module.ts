import { assembleModule, wasmApi, type WasmFunction, type WasmMemory } from '@qchain/huffman'
import { codeEntriesFunction } from './code-entries-code.js'
import { encodeRowFunction, groupFunction } from './encode-kernel-code.js'
import { residualRowFunction } from './decode-kernel-code.js'
import { emitSlabFunction } from './fused-emit-code.js'
import { fusedFastRowFunction } from './fused-fast-code.js'
import { fusedRowFunction } from './fused-kernel-code.js'
import type { TableIndexing } from './half-predictor.js'
import type { HalfFormat } from './half.js'
import { quantEntriesFunction } from './quant-entries-code.js'
import { makeRoom } from './memory-room.js'

export type DecodeRowCall = (out: number, parent: number, count: number, columnBase: number, table: number, cursors: number, symbols: number, escapes: number, low: number, state: number) => void
export type FusedRowCall = (out: number, parent: number, count: number, columnBase: number, phase: number) => void
export type FusedFastRowCall = (out: number, parent: number, count: number, columnBase: number, phase: number, scratch: number) => void
export type EmitSlabCall = (symbols: number, contexts: number, from: number, to: number, codes: number, escapes: number, low: number, state: number, out: number, childBits: number, laneBytes: number) => void
export type EncodeRowCall = (values: number, parent: number, count: number, columnBase: number, table: number, symbols: number, contexts: number, histograms: number, escapes: number, state: number) => void
/** The common parameters of the row entries kernels (entry-loop-code.ts), then their own. */
type EntriesCall<Own extends number[]> = (codes: number, count: number, columnBase: number, stamps: number, tag: number, bits: number, whole: number, table: number, ...own: Own) => void
export type QuantEntriesCall = EntriesCall<[scales: number, zeros: number, lambdas: number, contexts: number, signShift: number]>
export type CodeEntriesCall = EntriesCall<[pairs: number, maxCode: number]>
export type GroupCall = (symbols: number, contexts: number, count: number, tableOf: number, cursors: number, out: number) => void

/** The residual codec's kernels, over one memory that grows to the largest tensor seen and is kept. */
export interface ResidualKernels {
  memory: WasmMemory
  /** By indexing: 16-bit children (fromOrdered) for 'parent' and 'both', 8-bit codes for 'codes'. */
  decodeRow: Record<TableIndexing, DecodeRowCall>
  /** By indexing: 16-bit children for 'parent' and 'both', 8-bit codes for 'codes'. */
  encodeRow: Record<TableIndexing, EncodeRowCall>
  /** The static body's fused decode, by indexing like decodeRow: the careful kernel, which takes escapes... */
  fusedRow: Record<TableIndexing, FusedRowCall>
  /** ...and the fast one, which leaves rows holding escapes to it. */
  fusedFastRow: Record<TableIndexing, FusedFastRowCall>
  /** The static body's slab emission from the first pass. */
  emitSlab: EmitSlabCall
  group: GroupCall
  /** A GPTQ or LLM.int8 parent's row entries for an fp16 or bf16 child. */
  quantEntries: Record<HalfFormat, QuantEntriesCall>
  /** A GPTQ child's row entries. */
  codeEntries: CodeEntriesCall
}

let kernels: ResidualKernels | null | undefined

type Exports = Record<string, unknown>
const indexings: TableIndexing[] = ['parent', 'both', 'codes']

/** The decode, encode, row-entries, fused decode and slab emission modules, each importing env.memory. */
export function kernelModules(): Uint8Array[] {
  const assemble = (functions: WasmFunction[]) => assembleModule(functions, 1, { importMemory: true })
  return [
    assemble(indexings.map((indexing) => residualRowFunction(indexing, indexing))),
    assemble([...indexings.map((indexing) => encodeRowFunction(indexing, indexing, indexing === 'codes' ? 1 : 2)), groupFunction('group')]),
    assemble([quantEntriesFunction('f16', 'f16')]),
    assemble([quantEntriesFunction('bf16', 'bf16'), codeEntriesFunction('codes')]),
    // the fused decode, unrolled wide, one module per indexing to stay under 4 KB each
    ...indexings.map((indexing) => assemble([fusedRowFunction(indexing, indexing)])),
    ...indexings.map((indexing) => assemble([fusedFastRowFunction(indexing, indexing)])),
    assemble([emitSlabFunction('emit')]),
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
    const [decode, encode, halfEntries, entries, fusedParent, fusedBoth, fusedCodes, fastParent, fastBoth, fastCodes, emit] = kernelModules().map((bytes) => new api.Instance(new api.Module(bytes), { env: { memory } }).exports) as Exports[] as [Exports, Exports, Exports, Exports, Exports, Exports, Exports, Exports, Exports, Exports, Exports]
    const byIndexing = <T>(exports: Exports) => Object.fromEntries(indexings.map((indexing) => [indexing, exports[indexing]])) as Record<TableIndexing, T>
    kernels = {
      memory,
      decodeRow: byIndexing<DecodeRowCall>(decode),
      encodeRow: byIndexing<EncodeRowCall>(encode),
      fusedRow: byIndexing<FusedRowCall>({ ...fusedParent, ...fusedBoth, ...fusedCodes }),
      fusedFastRow: byIndexing<FusedFastRowCall>({ ...fastParent, ...fastBoth, ...fastCodes }),
      emitSlab: emit.emit as EmitSlabCall,
      group: encode.group as GroupCall,
      quantEntries: { f16: halfEntries.f16 as QuantEntriesCall, bf16: entries.bf16 as QuantEntriesCall },
      codeEntries: entries.codes as CodeEntriesCall,
    }
  } catch {
    kernels = null
  }
  return kernels
}

/** The kernels with at least `bytes` of memory, or null (no WebAssembly, too large, or out of memory). */
export function kernelsWithMemory(bytes: number): ResidualKernels | null {
  const loaded = loadKernels()
  return loaded && makeRoom(loaded.memory, bytes) ? loaded : null
}

import type { TableIndexing } from './half-predictor.js'

/**
 * The calls of @qchain/native's kernels (its NativeKernels), declared here so that this
 * package neither needs nor names it: the Node entry (node.ts) installs them when they load,
 * and that assignment type-checks the two declarations against each other.
 * They run over the WebAssembly kernels' memory: the static decode's rows (FusedSpace), the
 * first pass (EncodeSpace) and the slab emission (fused-emit.ts), with the same bytes.
 */
export interface NativeKernels {
  bindDecode(buffer: ArrayBuffer, layout: Int32Array, output: Uint16Array | Uint8Array): void
  decodeRow(out: number, parent: number, count: number, phase: number, indexing: number): number
  bindEncode(buffer: ArrayBuffer, layout: Int32Array): void
  encodeRow(values: number, parent: number, count: number, symbols: number, contexts: number, escapes: number, indexing: number): number
  bindMemory(buffer: ArrayBuffer): void
  emitSlab(symbols: number, contexts: number, from: number, to: number, codes: number, escapes: number, low: number, state: number, out: number, childBits: number, laneBytes: number): number
  unbind(): void
  /**
   * Range-codes symbols under their contexts with conditional's adaptive model (a RangeError when
   * the plan or a context is invalid). model: the plan's first shared node and node count, node
   * start, rate steps, both layouts' tree ends, both layouts' trees (9 each), then the rates.
   */
  adaptiveEncode(symbols: Uint8Array, contexts: Uint16Array, base: Int32Array, layout: Uint8Array, model: Int32Array): ArrayBuffer
}

/** The native kernels' numbers for the indexings. */
export const NATIVE_INDEXING: Record<TableIndexing, number> = { parent: 0, both: 1, codes: 2 }

let installed: NativeKernels | null = null

/** Makes the residual codec use `kernels` where they apply (null: the WebAssembly kernels again). Same bytes either way. */
export function useNativeKernels(kernels: NativeKernels | null): void {
  installed = kernels
}

/** The installed native kernels, or null. */
export function nativeKernels(): NativeKernels | null {
  return installed
}

/**
 * Runs `work` with the native kernels bound by `bind`, unbinding after, and returns what it
 * returns; null (work not run) where none are installed. A kernel refuses (-1) only calls that the caller's layout keeps inside its memory,
 * so a refusal is a bug: `check` turns it into an error.
 */
export function withNativeKernels<T>(bind: (kernels: NativeKernels) => void, work: (kernels: NativeKernels, check: (outcome: number) => void) => T): T | null {
  const kernels = installed
  if (!kernels) return null
  bind(kernels)
  try {
    return work(kernels, checkOutcome)
  } finally {
    kernels.unbind()
  }
}

/** Anything but 0 (a refusal, or no result from a failed Node-API call) stops the work. */
function checkOutcome(outcome: number): void {
  if (outcome !== 0) throw new Error('unreachable: a native kernel refused a call of this layout')
}

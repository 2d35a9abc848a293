import { CONTEXT_COUNT, CONTEXT_IDS } from './context.js'
import { emitRoomBytes, emitRoomStart, type ResidualSymbols } from './encode-space.js'
import { LANES, type StaticCode } from './fused-code.js'
import { kernelsWithMemory } from './kernel-module.js'
import { withNativeKernels } from './native-kernels.js'
import { ALPHABET } from './table-plan.js'

/** Each slab's lanes' bytes and the low bits they took, from either emitter. */
export interface EmittedSlabs {
  slabs: Uint8Array[][]
  lowBits: number
}

/**
 * The slabs emitted by the WebAssembly kernel (or @qchain/native's where it is installed, with
 * the same bytes), where the first pass ran in the kernels' memory (its arrays are views of it,
 * which keeps room for this: emitRoomBytes) and the lanes fit that room; else null.
 * `codeOf` is each context id's table code, `ends` the slabs' element ends.
 */
export function kernelSlabs(first: ResidualSymbols, codeOf: (StaticCode | null)[], childBits: number, ends: number[]): EmittedSlabs | null {
  const n = first.symbols.length
  const room = emitRoomStart(first.low.byteOffset, n)
  const loaded = kernelsWithMemory(0)
  if (!loaded || first.symbols.buffer !== loaded.memory.buffer) return null
  // the first pass kept the room, so this does not grow the memory (which would detach its views)
  const kernel = kernelsWithMemory(room + emitRoomBytes(n))
  if (!kernel) return null
  const buffer = kernel.memory.buffer
  const state = room
  // escapes taken, low bit position, then each lane's end
  const codes = room + 4 * (2 + LANES)
  const out = codes + 4 * CONTEXT_IDS * ALPHABET
  // a lane's worst case (27 bits per element) and the 8-byte store window; small tensors may not fit
  const widest = ends.reduce((most, to, s) => Math.max(most, to - (s === 0 ? 0 : (ends[s - 1] as number))), 0)
  const laneBytes = Math.ceil((Math.ceil(widest / LANES) * 27) / 8) + 8
  if (out + LANES * laneBytes > room + emitRoomBytes(n)) return null
  const table = new Int32Array(buffer, codes, CONTEXT_COUNT * ALPHABET)
  codeOf.forEach((code, context) => {
    if (!code) return
    for (let s = 0; s < ALPHABET; s++) table[context * ALPHABET + s] = (code.codes[s] as number) | ((code.spent[s] as number) << 16)
  })
  const words = new Int32Array(buffer, state, 2 + LANES)
  words.fill(0)
  const emitAll = (emitSlab: (from: number, to: number) => void): EmittedSlabs => {
    const slabs: Uint8Array[][] = []
    let from = 0
    for (const to of ends) {
      emitSlab(from, to)
      slabs.push(Array.from({ length: LANES }, (_, x) => new Uint8Array(buffer, out + x * laneBytes, (words[2 + x] as number) - out - x * laneBytes).slice()))
      from = to
    }
    return { slabs, lowBits: words[1] as number }
  }
  const slab = (from: number, to: number) => [first.symbols.byteOffset, first.contexts.byteOffset, from, to, codes, first.escaped.byteOffset, first.low.byteOffset, state, out, childBits, laneBytes] as const
  return (
    withNativeKernels(
      (native) => native.bindMemory(buffer as ArrayBuffer),
      (native, check) => emitAll((from, to) => check(native.emitSlab(...slab(from, to)))),
    ) ?? emitAll((from, to) => kernel.emitSlab(...slab(from, to)))
  )
}

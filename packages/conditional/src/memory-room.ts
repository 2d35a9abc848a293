import type { WasmMemory } from '@qchain/huffman'

const PAGE = 65536
/** Memory beyond this is not asked for (i32 addresses); the TypeScript loops take such work. */
const MAX_MEMORY = 2 ** 31

/** Grows `memory` to at least `bytes`; false when that is too large or the engine refuses. */
export function makeRoom(memory: WasmMemory, bytes: number): boolean {
  if (bytes > MAX_MEMORY) return false
  const have = memory.buffer.byteLength
  if (bytes <= have) return true
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE))
    return true
  } catch {
    return false
  }
}

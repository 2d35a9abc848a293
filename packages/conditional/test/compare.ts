import type { Child } from '../src/index.js'

/** Byte-exact equality of two children's values (fast; expect(...).toEqual on big arrays is not). */
export function sameChild(a: Child, b: Child): boolean {
  const va = 'format' in a ? a.bits : a.codes
  const vb = 'format' in b ? b.bits : b.codes
  if (a.rows !== b.rows || a.cols !== b.cols || va.BYTES_PER_ELEMENT !== vb.BYTES_PER_ELEMENT) return false
  if (!equalBytes(va, vb)) return false
  if ('format' in a || 'format' in b) return 'format' in a && 'format' in b && a.format === b.format
  return a.bits === b.bits && equalBytes(a.scales, b.scales) && equalBytes(a.zeros, b.zeros) && equalBytes(a.gIdx, b.gIdx)
}

function equalBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0
}

import { isInt8Level, type Parent } from './types.js'

/**
 * QStore's buckets: every element goes to the bucket of (its parent's exact scale, its parent
 * code) -- for int8 rowwise the row's SCB, for GPTQ its (group, row) scale. Buckets are numbered
 * by first appearance in row-major order, so the decoder derives them from the parent alone.
 */
export function bucketIds(parent: Parent): { ids: Int32Array; counts: Int32Array } {
  const { rows, cols } = parent
  const int8 = isInt8Level(parent)
  const scaleBits = int8 ? new Uint32Array(Float32Array.from(parent.scb).buffer) : parent.scales
  // Each (group, row) -> index of its distinct scale.
  const unitOf = new Int32Array(scaleBits.length)
  const seen = new Map<number, number>()
  scaleBits.forEach((bits, at) => {
    let unit = seen.get(bits)
    if (unit === undefined) seen.set(bits, (unit = seen.size))
    unitOf[at] = unit
  })
  const bucketOf = new Int32Array(seen.size * 256).fill(-1)
  const codes = int8 ? new Uint8Array(parent.weight.buffer, parent.weight.byteOffset, parent.weight.length) : parent.codes
  const ids = new Int32Array(rows * cols)
  let bucketCount = 0
  for (let r = 0, i = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++, i++) {
      const at = int8 ? r : (parent.gIdx[j] as number) * rows + r
      const key = (unitOf[at] as number) * 256 + (codes[i] as number)
      let bucket = bucketOf[key] as number
      if (bucket < 0) bucketOf[key] = bucket = bucketCount++
      ids[i] = bucket
    }
  }
  const counts = new Int32Array(bucketCount)
  for (let i = 0; i < ids.length; i++) (counts[ids[i] as number] as number)++
  return { ids, counts }
}

/** Start offset of each bucket's segment when elements are laid out bucket by bucket. */
export function bucketStarts(counts: Int32Array): Int32Array {
  const starts = new Int32Array(counts.length + 1)
  for (let b = 0; b < counts.length; b++) starts[b + 1] = (starts[b] as number) + (counts[b] as number)
  return starts
}

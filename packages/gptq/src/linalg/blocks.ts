// Row-major sub-matrix helpers. A "block" is rows [r0, r1) x columns [c0, c1) of a matrix whose
// rows are `stride` values long; copies are contiguous so they can go straight into a matmul.

export function copyBlock(src: Float32Array, stride: number, r0: number, r1: number, c0: number, c1: number): Float32Array {
  const width = c1 - c0
  const out = new Float32Array((r1 - r0) * width)
  for (let r = r0; r < r1; r++) out.set(src.subarray(r * stride + c0, r * stride + c1), (r - r0) * width)
  return out
}

/** dst[r0 + i, c0 + j] = block[i, j] for a contiguous block of `width` columns. */
export function writeBlock(dst: Float32Array, stride: number, r0: number, c0: number, block: Float32Array, width: number): void {
  const rows = block.length / width
  for (let i = 0; i < rows; i++) dst.set(block.subarray(i * width, (i + 1) * width), (r0 + i) * stride + c0)
}

/** dst[r0 + i, c0 + j] += sign * block[i, j], sign being 1 or -1. */
export function accumulateBlock(dst: Float32Array, stride: number, r0: number, c0: number, block: Float32Array, width: number, sign: 1 | -1): void {
  const rows = block.length / width
  for (let i = 0; i < rows; i++) {
    const base = (r0 + i) * stride + c0
    const from = i * width
    for (let j = 0; j < width; j++) dst[base + j] = (dst[base + j] as number) + sign * (block[from + j] as number)
  }
}

export function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols)
  // Tiles keep both the reads and the writes within a few cache lines.
  const tile = 32
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(r0 + tile, rows)
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(c0 + tile, cols)
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = src[r * cols + c] as number
    }
  }
  return out
}

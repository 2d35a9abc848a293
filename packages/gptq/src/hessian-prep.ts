/**
 * Inputs that never fire (H[d,d] = 0) carry no information: the reference sets H[d,d] = 1 so H
 * stays invertible and zeroes W[:, d] so those weights quantize to exact zeros. In place.
 */
export function handleDeadInputs(h: Float32Array, weight: Float32Array, rows: number, cols: number): void {
  for (let d = 0; d < cols; d++) {
    if (h[d * cols + d] !== 0) continue
    h[d * cols + d] = 1
    for (let r = 0; r < rows; r++) weight[r * cols + d] = 0
  }
}

/** Act-order: columns by descending H[d,d], ties kept in column order. */
export function descendingDiagonalOrder(h: Float32Array, n: number): Int32Array {
  const order = Array.from({ length: n }, (_, i) => i)
  order.sort((a, b) => (h[b * n + b] as number) - (h[a * n + a] as number) || a - b)
  return Int32Array.from(order)
}

export function identityOrder(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i)
}

/** out[:, p] = m[:, order[p]] for a row-major [rows, cols] matrix. */
export function permuteColumns(m: Float32Array, rows: number, cols: number, order: Int32Array): Float32Array {
  const out = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < cols; p++) out[r * cols + p] = m[r * cols + (order[p] as number)] as number
  }
  return out
}

/** out[p, q] = h[order[p], order[q]]. */
export function permuteSymmetric(h: Float32Array, n: number, order: Int32Array): Float32Array {
  const rowsFirst = new Float32Array(n * n)
  for (let p = 0; p < n; p++) rowsFirst.set(h.subarray((order[p] as number) * n, ((order[p] as number) + 1) * n), p * n)
  return permuteColumns(rowsFirst, n, n, order)
}

/** H[i,i] += percent * mean(diag H), the reference's dampening, in place. */
export function addDamping(h: Float32Array, n: number, percent: number): void {
  let trace = 0
  for (let i = 0; i < n; i++) trace += h[i * n + i] as number
  const damp = (percent * trace) / n
  for (let i = 0; i < n; i++) h[i * n + i] = (h[i * n + i] as number) + damp
}

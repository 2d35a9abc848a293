const rows = 4096, count = 128, cols = 4096
const w = new Float32Array(rows * cols).map(() => Math.random())
const hinv = new Float64Array(count * count).map(() => Math.random() * 0.01)
for (let i = 0; i < count; i++) hinv[i * count + i] = 1
const errors = new Float32Array(rows * count)
function run64(i1: number) {
  const row = new Float64Array(count)
  for (let r = 0; r < rows; r++) {
    const base = r * cols + i1
    for (let i = 0; i < count; i++) row[i] = w[base + i]!
    for (let i = 0; i < count; i++) {
      const v = row[i]!
      const q = Math.round(v * 7)
      const e = (v - q / 7) / hinv[i * count + i]!
      errors[r * count + i] = e
      const h = i * count
      for (let j = i + 1; j < count; j++) row[j] = row[j]! - e * hinv[h + j]!
    }
  }
}
const hinv32 = Float32Array.from(hinv)
function run32(i1: number) {
  const row = new Float32Array(count)
  for (let r = 0; r < rows; r++) {
    const base = r * cols + i1
    for (let i = 0; i < count; i++) row[i] = w[base + i]!
    for (let i = 0; i < count; i++) {
      const v = row[i]!
      const q = Math.round(v * 7)
      const e = (v - q / 7) / hinv32[i * count + i]!
      errors[r * count + i] = e
      const h = i * count
      for (let j = i + 1; j < count; j++) row[j] = row[j]! - e * hinv32[h + j]!
    }
  }
}
for (const [name, f] of [['f64', run64], ['f32', run32], ['f64', run64], ['f32', run32]] as const) {
  const t0 = performance.now(); for (let b = 0; b < 4; b++) f(b * 128); const dt = performance.now() - t0
  console.log(name, (dt / 4).toFixed(1), 'ms per block;', (dt / 4 / (rows * count * count / 2) * 1e6).toFixed(2), 'ns/FMA; 32 blocks =', (dt / 4 * 32 / 1000).toFixed(2), 's')
}

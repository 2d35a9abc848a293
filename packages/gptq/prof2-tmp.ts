import { initTfjsWasm, gptqQuantize } from './src/index.js'
await initTfjsWasm()
const n = 4096
const h = new Float32Array(n*n); for (let i = 0; i < n; i++) h[i*n+i] = 1 + Math.random()
for (let i = 1; i < n; i++) { h[i*n+i-1] = 0.3; h[(i-1)*n+i] = 0.3 }
const w = new Float32Array(n * n); for (let i = 0; i < w.length; i++) w[i] = (Math.random() - 0.5) * 0.04
const t0 = performance.now(); const c0 = process.cpuUsage()
await gptqQuantize(w, n, n, h, { bits: 4, groupSize: 128, blockSize: Number(process.env.BS ?? 128) })
const c = process.cpuUsage(c0)
console.log('gptq wall', ((performance.now() - t0) / 1000).toFixed(2), 'cpu', ((c.user + c.system) / 1e6).toFixed(2))

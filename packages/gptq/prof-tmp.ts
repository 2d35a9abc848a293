import { initTfjsWasm, HessianAccumulator, upperCholeskyOfInverse, gptqQuantize, choleskyLower, invertLowerTriangular } from './src/index.js'
await initTfjsWasm()
const n = 4096, T = 4096
const x = new Float32Array(T * n); for (let i = 0; i < x.length; i++) x[i] = Math.random() - 0.5
let t0 = performance.now()
const acc = new HessianAccumulator(n); acc.addBatch(x, T)
const h = acc.hessian(); for (let i = 0; i < n; i++) h[i*n+i] += 0.01
console.log('hessian', ((performance.now() - t0) / 1000).toFixed(2))
t0 = performance.now(); const l = choleskyLower(h, n); console.log('chol', ((performance.now() - t0) / 1000).toFixed(2))
t0 = performance.now(); invertLowerTriangular(l, n); console.log('inv', ((performance.now() - t0) / 1000).toFixed(2))
const w = new Float32Array(n * n); for (let i = 0; i < w.length; i++) w[i] = (Math.random() - 0.5) * 0.04
t0 = performance.now(); await gptqQuantize(w, n, n, h, { bits: 4, groupSize: 128 }); console.log('gptq total', ((performance.now() - t0) / 1000).toFixed(2))

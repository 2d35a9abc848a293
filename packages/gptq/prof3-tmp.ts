import { initTfjsWasm, choleskyLower, invertLowerTriangular } from './src/index.js'
await initTfjsWasm()
const n = 4096
const h = new Float32Array(n*n); for (let i = 0; i < n; i++) h[i*n+i] = 1 + Math.random()
for (let i = 1; i < n; i++) { h[i*n+i-1] = 0.3; h[(i-1)*n+i] = 0.3 }
for (const bs of [256]) for (const strip of [0]) {
let t0 = performance.now(); const l = choleskyLower(h, n, {blockSize: bs, stripWidth: strip}); const t1 = performance.now(); invertLowerTriangular(l, n, {blockSize: bs, stripWidth: strip}); const t2 = performance.now()
console.log(bs, strip, 'chol', ((t1 - t0) / 1000).toFixed(2), 'inv', ((t2 - t1) / 1000).toFixed(2), 'GFLOP/s', (n**3/3/(t1-t0)/1e6).toFixed(1), (n**3/3/(t2-t1)/1e6).toFixed(1))
}

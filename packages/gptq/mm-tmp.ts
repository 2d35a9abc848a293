import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
await tf.setBackend('wasm'); await tf.ready()
function time(label:string, flops:number, f:()=>void){ const ts:number[]=[]; for(let r=0;r<5;r++){const t0=performance.now(); f(); ts.push(performance.now()-t0)} ts.sort((a,b)=>a-b); const best=ts[2]!; console.log(label.padEnd(40),best.toFixed(1),'ms',(flops/best/1e6).toFixed(1),'GFLOP/s')}
for (const [m,k,n] of [[128,2048,4096],[4096,2048,128],[256,2048,4096],[4096,2048,256],[128,512,4096],[4096,512,128]]) {
  const a=new Float32Array(m*k).map(Math.random), b=new Float32Array(k*n).map(Math.random)
  time(`mm ${m}x${k}x${n} incl upload/download`, 2*m*k*n, ()=>{ const ta=tf.tensor2d(a,[m,k]), tb=tf.tensor2d(b,[k,n]); const c=tf.matMul(ta,tb); c.dataSync(); tf.dispose([ta,tb,c])})
}

import { it } from 'vitest'
import { gptqQuantize, HessianAccumulator, initTfjsWasm } from './src/index.js'
import { correlatedInputs, gaussians } from './test/helpers.js'
import { referenceGptq } from './test/reference-gptq.js'
it('dbg', async () => {
  await initTfjsWasm()
  const x = correlatedInputs(384, 256, 7); const acc = new HessianAccumulator(256); acc.addBatch(x, 384); const h = acc.hessian()
  const w = gaussians(64 * 256, 11).map((v) => v * 0.02)
  for (const g of [128, 256]) {
    const o = { bits: 4 as const, groupSize: g, sym: true, actOrder: false, dampPercent: 0.01 }
    const a = await gptqQuantize(w, 64, 256, h, o); const b = referenceGptq(w, 64, 256, h, o)
    const diffCols = new Array(256).fill(0); a.codes.forEach((c, i) => { if (c !== b.codes[i]) diffCols[i % 256]++ })
    console.log(g, diffCols.join(','), a.loss, b.loss)
  }
})

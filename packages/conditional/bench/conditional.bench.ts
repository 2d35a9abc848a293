/**
 * 16|int8 on the whole isnet-fp16 (LLM.int8 rowwise parent): residual codec encode/decode MB/s
 * (fp16 megabytes per second, one core) beside zstd-3 on the same fp16 bytes, and the sizes
 * of the residual codec, QStore's method, zstd-3 and raw. Then bits/weight of every pair
 * (isnet 16|int8; babyllama fp16 and bf16 16|8, 8|4, 16|4 with GPTQ g128 sym levels) against
 * the order-0 bound. Usage: tsx bench/conditional.bench.ts [--runs 5] [--out results.json]
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { compress, decompress } from '@mongodb-js/zstd'
import { decode, encode, PairAnalyzer, type HalfMatrix, type PairAnalysis } from '../src/index.js'
import { gptqLevel, hasBabyllama, hasIsnet, int8Level, loadBabyllamaLinears, loadMatrices } from '../test/levels.js'
import { formatTable, measurement as row, timeMedian, type Measurement } from '@qchain/bench-kit'

const { values: args } = parseArgs({ options: { out: { type: 'string' }, runs: { type: 'string', default: '5' } } })
const runs = Math.max(5, Number(args.runs))

async function speedIsnet(): Promise<Measurement[]> {
  const matrices = await loadMatrices('isnet-fp16')
  const pairs = matrices.map((m) => ({ child: m.child, parent: int8Level(m) }))
  const raw = pairs.reduce((sum, p) => sum + 2 * p.child.bits.length, 0)
  const outputs = pairs.map((p) => new Uint16Array(p.child.bits.length))
  const encoded = await timeMedian(runs, () => pairs.map((p) => encode(p.child, p.parent)))
  const streams = encoded.result
  const size = streams.reduce((sum, s) => sum + s.length, 0)
  const decoded = await timeMedian(runs, () => streams.forEach((s, t) => decode(s, pairs[t]!.parent, outputs[t])))
  pairs.forEach((p, t) => {
    if (Buffer.compare(Buffer.from(outputs[t]!.buffer), Buffer.from(p.child.bits.buffer)) !== 0) throw new Error(`round trip failed on tensor ${t}`)
  })
  const qstore = pairs.reduce((sum, p) => sum + encode(p.child, p.parent, { codec: 'qstore' }).length, 0)
  const fp16 = Buffer.concat(pairs.map((p) => Buffer.from(p.child.bits.buffer, p.child.bits.byteOffset, p.child.bits.byteLength)))
  const zstdEncode = await timeMedian(runs, () => compress(fp16, 3))
  const zstdDecode = await timeMedian(runs, () => decompress(zstdEncode.result))
  if (!zstdDecode.result.equals(fp16)) throw new Error('zstd round trip failed')
  const zstdSize = zstdEncode.result.length
  return [
    row('isnet 16|int8 residual encode', raw, size, encoded.seconds, raw, size),
    row('isnet 16|int8 residual decode', size, raw, decoded.seconds, raw, size),
    row('isnet 16|int8 qstore size', raw, qstore, 0, raw, qstore),
    row('isnet fp16 zstd-3 compress', raw, zstdSize, zstdEncode.seconds, raw, zstdSize),
    row('isnet fp16 zstd-3 decompress', zstdSize, raw, zstdDecode.seconds, raw, zstdSize),
    row('isnet fp16 raw', raw, raw, 0, raw, raw),
  ]
}

function describe(name: string, a: PairAnalysis): Record<string, unknown> {
  const bpw = (bytes: number) => Number(((8 * bytes) / a.weights).toFixed(4))
  const breakdown = (parts: object) => Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, k === 'buckets' ? v : bpw(v as number)]))
  return {
    name,
    tensors: a.tensors,
    weights: a.weights,
    boundBitsPerWeight: Number((a.boundBits / a.weights).toFixed(4)),
    perTensorBoundBitsPerWeight: Number((a.perTensorBoundBits / a.weights).toFixed(4)),
    residual: breakdown(a.residual),
    qstore: breakdown(a.qstore),
    residualOverBound: Number(((8 * a.residual.total) / a.boundBits).toFixed(4)),
    savingVsQstore: Number((1 - a.residual.total / a.qstore.total).toFixed(4)),
  }
}

async function sizes(): Promise<Record<string, unknown>[]> {
  const reports: Record<string, unknown>[] = []
  if (hasIsnet()) {
    const analyzer = new PairAnalyzer()
    for (const m of await loadMatrices('isnet-fp16')) analyzer.add(m.child, int8Level(m))
    reports.push(describe('isnet-fp16 16|int8', analyzer.result()))
  }
  if (!hasBabyllama()) return reports
  for (const format of ['f16', 'bf16'] as const) {
    const [a16x8, a8x4, a16x4] = [new PairAnalyzer(), new PairAnalyzer(), new PairAnalyzer()]
    let seed = 1
    for (const m of await loadBabyllamaLinears(format)) {
      const q8 = await gptqLevel(m, 'gptq', { bits: 8, groupSize: 128, sym: true }, seed)
      const q4 = await gptqLevel(m, 'gptq', { bits: 4, groupSize: 128, sym: true }, seed++)
      a16x8.add(m.child satisfies HalfMatrix, q8)
      a8x4.add(q8, q4)
      a16x4.add(m.child, q4)
    }
    const model = `babyllama-105-${format === 'f16' ? 'fp16' : 'bf16'}`
    reports.push(describe(`${model} 16|8`, a16x8.result()), describe(`${model} 8|4`, a8x4.result()), describe(`${model} 16|4`, a16x4.result()))
  }
  return reports
}

const rows: Measurement[] = hasIsnet() ? await speedIsnet() : []
if (!hasIsnet()) console.error('isnet-fp16 fixture missing: speed rows skipped')
console.error(formatTable(rows))
const pairs = await sizes()
for (const p of pairs) console.error(`${p.name}: residual ${(p.residual as { total: number }).total} bits/weight, qstore ${(p.qstore as { total: number }).total}, bound ${p.boundBitsPerWeight} (per tensor ${p.perTensorBoundBitsPerWeight}); residual/bound ${p.residualOverBound}, saving vs qstore ${p.savingVsQstore}`)
const json = JSON.stringify({ measurements: rows, pairs }, null, 2)
if (args.out) writeFileSync(args.out, json + '\n')
else console.log(json)

// GPTQ of one 4096 x 4096 linear layer (4-bit, group 128, symmetric) on 4096 calibration tokens,
// against the reference PyTorch CPU figures on this kind of machine. Usage:
//   npm run bench -w @qchain/gptq [-- --reps 3 --size 4096 --tokens 4096]
import { parseArgs } from 'node:util'
import { gptqQuantize, HessianAccumulator, initTfjsWasm, rtnQuantize, upperHessianFactor } from '../src/index.js'
import { matmul } from '../src/linalg/matmul.js'

const REFERENCE_SECONDS = { hessian: 0.8, quantize: 10.9 }

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' }, size: { type: 'string', default: '4096' }, tokens: { type: 'string', default: '4096' } } })
const reps = Number(values.reps)
const n = Number(values.size)
const tokens = Number(values.tokens)
// The reference figures are for the default size only.
const reference = n === 4096 && tokens === 4096 ? REFERENCE_SECONDS : { hessian: undefined, quantize: undefined }

/** Seeded normal deviates (mulberry32 + Box-Muller): the same inputs on every run. */
function gaussians(count: number, seed: number): Float32Array {
  let state = seed >>> 0
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return Float32Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()))
}

/**
 * Activations shaped like a transformer's: a rank-64 shared component plus noise, log-normal
 * channel scales and a handful of outlier channels 20x louder.
 */
function calibrationInputs(): Float32Array {
  const rank = 64
  const x = matmul(gaussians(tokens * rank, 1), gaussians(rank * n, 2).map((v) => v / Math.sqrt(rank)), tokens, rank, n)
  const noise = gaussians(tokens * n, 3)
  const channelScale = gaussians(n, 4).map((v, c) => Math.exp(0.5 * v) * (c % 701 === 0 ? 20 : 1))
  for (let i = 0; i < x.length; i++) x[i] = ((x[i] as number) + 0.5 * (noise[i] as number)) * (channelScale[i % n] as number)
  return x
}

interface Sample {
  wall: number
  cpu: number
}

function timed<T>(run: () => T): [T, Sample] {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const result = run()
  const used = process.cpuUsage(cpu)
  return [result, { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 }]
}

async function timedAsync<T>(run: () => Promise<T>): Promise<[T, Sample]> {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const result = await run()
  const used = process.cpuUsage(cpu)
  return [result, { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 }]
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** ||X (W - Wq)^T|| / ||X W^T|| over the first 512 tokens. */
function relativeOutputError(x: Float32Array, w: Float32Array, wq: Float32Array): number {
  const probe = Math.min(512, tokens)
  const wT = new Float32Array(n * n)
  const diffT = new Float32Array(n * n)
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      wT[c * n + r] = w[r * n + c] as number
      diffT[c * n + r] = (w[r * n + c] as number) - (wq[r * n + c] as number)
    }
  }
  const xs = x.subarray(0, probe * n)
  const norm = (m: Float32Array): number => Math.sqrt(m.reduce((sum, v) => sum + v * v, 0))
  return norm(matmul(xs, diffT, probe, n, n)) / norm(matmul(xs, wT, probe, n, n))
}

await initTfjsWasm()
const inputs = calibrationInputs()
const weight = gaussians(n * n, 5).map((v) => 0.02 * v)
const options = { bits: 4, groupSize: 128, sym: true } as const

const hessianRuns: Sample[] = []
const factorRuns: Sample[] = []
const quantizeRuns: Sample[] = []
let hessian: Float32Array = new Float32Array(0)
let layer: Awaited<ReturnType<typeof gptqQuantize>> | undefined
for (let rep = 0; rep < reps; rep++) {
  const [h, hessianTime] = timed(() => {
    // Two 2048-token sequences, as a calibration loop would feed them.
    const accumulator = new HessianAccumulator(n)
    const half = Math.floor(tokens / 2)
    accumulator.addBatch(inputs.subarray(0, half * n), half, 1)
    accumulator.addBatch(inputs.subarray(half * n), tokens - half, 1)
    return accumulator.hessian()
  })
  hessian = h
  hessianRuns.push(hessianTime)
  factorRuns.push(timed(() => upperHessianFactor(hessian.map((v, i) => (i % (n + 1) === 0 ? v * 1.01 : v)), n))[1])
  const [result, quantizeTime] = await timedAsync(() => gptqQuantize(weight, n, n, hessian, options))
  layer = result
  quantizeRuns.push(quantizeTime)
  console.error(`rep ${rep + 1}/${reps}: hessian ${hessianTime.wall.toFixed(2)} s, quantize ${quantizeTime.wall.toFixed(2)} s`)
}
const [rtn, rtnTime] = timed(() => rtnQuantize(weight, n, n, options))
const gptqError = relativeOutputError(inputs, weight, (layer as NonNullable<typeof layer>).weight)
const rtnError = relativeOutputError(inputs, weight, rtn.weight)

const rows = [
  { name: 'hessian', runs: hessianRuns, reference: reference.hessian },
  { name: 'quantize', runs: quantizeRuns, reference: reference.quantize },
  { name: 'cholesky (part of quantize)', runs: factorRuns, reference: undefined },
  { name: 'rtn', runs: [rtnTime], reference: undefined },
].map(({ name, runs, reference }: { name: string; runs: Sample[]; reference: number | undefined }) => ({
  name,
  seconds_median: median(runs.map((s) => s.wall)),
  cpu_seconds_median: median(runs.map((s) => s.cpu)),
  runs: runs.length,
  reference_seconds: reference ?? null,
  ratio_to_reference: reference === undefined ? null : median(runs.map((s) => s.wall)) / reference,
}))

console.log(`\nGPTQ ${n}x${n}, ${options.bits}-bit g${options.groupSize} sym, ${tokens} tokens, tfjs wasm (1 thread), median of ${reps}`)
console.log('step'.padEnd(30) + 'wall s'.padStart(9) + 'cpu s'.padStart(9) + 'reference s'.padStart(13) + 'ratio'.padStart(8))
for (const row of rows) {
  const ref = row.reference_seconds === null ? '-' : row.reference_seconds.toFixed(1)
  const ratio = row.ratio_to_reference === null ? '-' : row.ratio_to_reference.toFixed(2)
  console.log(row.name.padEnd(30) + row.seconds_median.toFixed(2).padStart(9) + row.cpu_seconds_median.toFixed(2).padStart(9) + ref.padStart(13) + ratio.padStart(8))
}
console.log(`relative output error ||X(W-Wq)^T|| / ||XW^T||: gptq ${gptqError.toFixed(4)}, rtn ${rtnError.toFixed(4)}`)
console.log(JSON.stringify({ benchmark: 'gptq-layer', size: n, tokens, bits: options.bits, group_size: options.groupSize, sym: true, results: rows, output_error: { gptq: gptqError, rtn: rtnError } }))

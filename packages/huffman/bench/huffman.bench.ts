/**
 * Huffman vs zstd-3 vs lz4 on the isnet-fp16 int8 rowwise level and a synthetic 4-bit level.
 * Usage: tsx bench/huffman.bench.ts [--out results.json] [--runs 5] [--clock wall|cpu]
 * Prints a table and each level's speeds against the goals (encode >= 300 MB/s per core,
 * decode vs zstd-3 decompression in the same run); the JSON ({ measurements, targets }) goes
 * to --out, else to stdout.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { compress, decompress } from '@mongodb-js/zstd'
import { compressSync, uncompressSync } from 'lz4-napi'
import { decodeSymbols, encodeSymbols, entropyBits, histogram, sizeBreakdown } from '../src/index.js'
import { ISNET_PATH, loadIsnetInt8Codes } from '../test/isnet-level.js'
import { laplacianSymbols } from '../test/synthetic.js'
import { formatTable, measurement, timeMedian, type Measurement } from '@qchain/bench-kit'

const { values: args } = parseArgs({ options: { out: { type: 'string' }, runs: { type: 'string', default: '5' }, clock: { type: 'string', default: 'wall' } } })
const runs = Math.max(5, Number(args.runs))
/** `--clock cpu` times by this process's CPU time (all threads, so zstd's too): per-core speed on a busy machine. */
const cpuClock = args.clock === 'cpu'

/** Median seconds of `runs` calls after a warm-up, by the chosen clock. */
const timeRuns = <T>(work: () => T | Promise<T>) => timeMedian(runs, work, cpuClock ? 'cpu' : 'wall')

/** One level's default-limit Huffman speeds against the goals, from rows of the same run. */
interface Target {
  level: string
  encodeMBps: number
  encodeGoalMet: boolean
  decodeMBps: number
  zstdDecodeMBps: number
  decodeOverZstd: number
}
const targets: Target[] = []

async function benchLevel(level: string, symbols: Uint8Array): Promise<Measurement[]> {
  const n = symbols.length
  const rows: Measurement[] = []
  const entropyBytes = Math.ceil(entropyBits(histogram(symbols)) / 8)
  rows.push(measurement(`${level} order-0 entropy`, n, entropyBytes, 0, n, entropyBytes))

  for (const maxCodeLength of [12, 11]) {
    const tag = maxCodeLength === 12 ? 'huffman' : `huffman-L${maxCodeLength}`
    const encode = await timeRuns(() => encodeSymbols(symbols, { maxCodeLength }))
    const encoded = encode.result
    const out = new Uint8Array(n)
    const decode = await timeRuns(() => decodeSymbols(encoded, out))
    if (!Buffer.from(out.buffer).equals(Buffer.from(symbols.buffer, symbols.byteOffset, n))) throw new Error(`${tag} round trip failed on ${level}`)
    rows.push(measurement(`${level} ${tag} encode`, n, encoded.length, encode.seconds, n, encoded.length))
    rows.push(measurement(`${level} ${tag} decode`, encoded.length, n, decode.seconds, n, encoded.length))
    if (maxCodeLength === 12) {
      const report = sizeBreakdown(encoded)
      console.error(`${level}: huffman ${encoded.length} bytes = header ${report.headerBytes} + tables ${report.tableBytes} + payload ${report.payloadBytes}; payload/entropy ${(report.payloadBytes / entropyBytes).toFixed(4)}; blocks ${JSON.stringify(report.blocks)}`)
    }
  }

  const buffer = Buffer.from(symbols.buffer, symbols.byteOffset, n)
  const zstdEncode = await timeRuns(() => compress(buffer, 3))
  const zstdDecode = await timeRuns(() => decompress(zstdEncode.result))
  if (!zstdDecode.result.equals(buffer)) throw new Error(`zstd round trip failed on ${level}`)
  rows.push(measurement(`${level} zstd-3 compress`, n, zstdEncode.result.length, zstdEncode.seconds, n, zstdEncode.result.length))
  rows.push(measurement(`${level} zstd-3 decompress`, zstdEncode.result.length, n, zstdDecode.seconds, n, zstdEncode.result.length))

  const lz4Encode = await timeRuns(() => compressSync(buffer))
  const lz4Decode = await timeRuns(() => uncompressSync(lz4Encode.result))
  if (!lz4Decode.result.equals(buffer)) throw new Error(`lz4 round trip failed on ${level}`)
  rows.push(measurement(`${level} lz4 compress`, n, lz4Encode.result.length, lz4Encode.seconds, n, lz4Encode.result.length))
  rows.push(measurement(`${level} lz4 decompress`, lz4Encode.result.length, n, lz4Decode.seconds, n, lz4Encode.result.length))
  const speed = (name: string) => rows.find((r) => r.name === `${level} ${name}`)!.MBps
  const [encodeMBps, decodeMBps, zstdDecodeMBps] = [speed('huffman encode'), speed('huffman decode'), speed('zstd-3 decompress')]
  targets.push({ level, encodeMBps: Math.round(encodeMBps), encodeGoalMet: encodeMBps >= 300, decodeMBps: Math.round(decodeMBps), zstdDecodeMBps: Math.round(zstdDecodeMBps), decodeOverZstd: Number((decodeMBps / zstdDecodeMBps).toFixed(3)) })
  return rows
}

const rows: Measurement[] = []
try {
  rows.push(...(await benchLevel('isnet-int8', await loadIsnetInt8Codes())))
} catch (error) {
  console.error(`isnet level skipped: ${(error as Error).message} (fixture expected at ${ISNET_PATH})`)
}
// A 4-bit level: rounded Laplacian (scale 1.5) clamped to -7..7, stored as 1..15.
rows.push(...(await benchLevel('synthetic-4bit', laplacianSymbols(32_000_000, 1.5, 7, 8, 1))))

console.error(formatTable(rows))
for (const t of targets) console.error(`${t.level}: encode ${t.encodeMBps} MB/s (goal 300), decode ${t.decodeMBps} MB/s = ${t.decodeOverZstd}x zstd-3 decompression (${t.zstdDecodeMBps} MB/s)`)
const json = JSON.stringify({ clock: cpuClock ? 'cpu' : 'wall', measurements: rows, targets }, null, 2)
if (args.out) writeFileSync(args.out, json + '\n')
else console.log(json)

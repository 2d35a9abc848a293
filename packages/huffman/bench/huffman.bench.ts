/**
 * Huffman vs zstd-3 vs lz4 on the isnet-fp16 int8 rowwise level and a synthetic 4-bit level.
 * Usage: tsx bench/huffman.bench.ts [--out results.json] [--runs 5]
 * Prints a table; the JSON array (one object per measurement) goes to --out, else to stdout.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { compress, decompress } from '@mongodb-js/zstd'
import { compressSync, uncompressSync } from 'lz4-napi'
import { decodeSymbols, encodeSymbols, entropyBits, histogram, sizeBreakdown } from '../src/index.js'
import { ISNET_PATH, loadIsnetInt8Codes } from '../test/isnet-level.js'
import { laplacianSymbols } from '../test/synthetic.js'
import { formatTable, measurement, timeMedian, type Measurement } from '@qchain/bench-kit'

const { values: args } = parseArgs({ options: { out: { type: 'string' }, runs: { type: 'string', default: '5' } } })
const runs = Math.max(5, Number(args.runs))

async function benchLevel(level: string, symbols: Uint8Array): Promise<Measurement[]> {
  const n = symbols.length
  const rows: Measurement[] = []
  const entropyBytes = Math.ceil(entropyBits(histogram(symbols)) / 8)
  rows.push(measurement(`${level} order-0 entropy`, n, entropyBytes, 0, n, entropyBytes))

  for (const maxCodeLength of [12, 11]) {
    const tag = maxCodeLength === 12 ? 'huffman' : `huffman-L${maxCodeLength}`
    const encode = await timeMedian(runs, () => encodeSymbols(symbols, { maxCodeLength }))
    const encoded = encode.result
    const out = new Uint8Array(n)
    const decode = await timeMedian(runs, () => decodeSymbols(encoded, out))
    if (!Buffer.from(out.buffer).equals(Buffer.from(symbols.buffer, symbols.byteOffset, n))) throw new Error(`${tag} round trip failed on ${level}`)
    rows.push(measurement(`${level} ${tag} encode`, n, encoded.length, encode.seconds, n, encoded.length))
    rows.push(measurement(`${level} ${tag} decode`, encoded.length, n, decode.seconds, n, encoded.length))
    if (maxCodeLength === 12) {
      const report = sizeBreakdown(encoded)
      console.error(`${level}: huffman ${encoded.length} bytes = header ${report.headerBytes} + tables ${report.tableBytes} + payload ${report.payloadBytes}; payload/entropy ${(report.payloadBytes / entropyBytes).toFixed(4)}; blocks ${JSON.stringify(report.blocks)}`)
    }
  }

  const buffer = Buffer.from(symbols.buffer, symbols.byteOffset, n)
  const zstdEncode = await timeMedian(runs, () => compress(buffer, 3))
  const zstdDecode = await timeMedian(runs, () => decompress(zstdEncode.result))
  if (!zstdDecode.result.equals(buffer)) throw new Error(`zstd round trip failed on ${level}`)
  rows.push(measurement(`${level} zstd-3 compress`, n, zstdEncode.result.length, zstdEncode.seconds, n, zstdEncode.result.length))
  rows.push(measurement(`${level} zstd-3 decompress`, zstdEncode.result.length, n, zstdDecode.seconds, n, zstdEncode.result.length))

  const lz4Encode = await timeMedian(runs, () => compressSync(buffer))
  const lz4Decode = await timeMedian(runs, () => uncompressSync(lz4Encode.result))
  if (!lz4Decode.result.equals(buffer)) throw new Error(`lz4 round trip failed on ${level}`)
  rows.push(measurement(`${level} lz4 compress`, n, lz4Encode.result.length, lz4Encode.seconds, n, lz4Encode.result.length))
  rows.push(measurement(`${level} lz4 decompress`, lz4Encode.result.length, n, lz4Decode.seconds, n, lz4Encode.result.length))
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
const json = JSON.stringify(rows, null, 2)
if (args.out) writeFileSync(args.out, json + '\n')
else console.log(json)

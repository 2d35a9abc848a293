import { formatBytes, formatTable } from '../format-table.js'
import type { PairReport } from '../chain/report.js'
import type { LevelAnalysis } from './analyze-levels.js'

const bitsPer = (bytes: number, values: number) => (values ? ((bytes * 8) / values).toFixed(3) : '-')

/** One row per level: what our coder writes (everything counted) beside its bound and the baselines. */
export function renderAnalysis(levels: readonly LevelAnalysis[], pairs: readonly PairReport[] = []): string {
  const rows = levels.map((level) => {
    const written = level.coded.bytes + level.side.bytes
    return [
      level.level,
      level.values.toLocaleString('en-US'),
      formatBytes(level.rawBytes),
      formatBytes(written),
      bitsPer(written, level.values),
      bitsPer(level.coded.entropyBits / 8, level.values),
      formatBytes(level.coded.overheadBytes + level.side.overheadBytes),
      formatBytes(level.side.bytes),
      formatBytes(level.unchangedBytes),
      formatBytes(level.baselines.lz4),
      formatBytes(level.baselines.zstd3),
      formatBytes(level.baselines.zstd19),
    ]
  })
  const headers = ['level', 'weights', 'raw', 'qchain Huffman', 'bits/weight', 'order-0 bound', 'tables+headers', 'side info', 'unchanged', 'lz4', 'zstd-3', 'zstd-19']
  return [
    formatTable(headers, rows),
    '',
    'qchain Huffman counts every byte written (tables, headers, side info). The 16-bit row codes high and low byte planes',
    'separately (the ZipNN method); quantized rows code the integer codes, with scales/zeros/g_idx (or SCB) as side info.',
    'The order-0 bound is the empirical entropy of the coded values alone; baselines compress the same tensors as stored.',
    ...(pairs.length === 0 ? [] : ['', renderPairs(pairs)]),
  ].join('\n')
}

/** Conditional pairs: our residual codec and QStore's buckets on the same matrices, beside the bound. */
export function renderPairs(pairs: readonly PairReport[]): string {
  const rows = pairs.map((pair) => [
    `${pair.level}\\|${pair.parent}`,
    pair.weights.toLocaleString('en-US'),
    bitsPer(pair.residualBytes, pair.weights),
    bitsPer(pair.boundBits / 8, pair.weights),
    (pair.residualBytes * 8 / pair.boundBits).toFixed(3),
    bitsPer(pair.qstoreBytes, pair.weights),
    (pair.residualBytes / pair.qstoreBytes).toFixed(3),
  ])
  return formatTable(['pair', 'weights', 'qchain bits/weight', 'order-0 bound', 'vs bound', "seed's method bits/weight", 'qchain / seed'], rows)
}

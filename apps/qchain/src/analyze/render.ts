import { formatBytes, formatTable } from '../format-table.js'
import type { LevelAnalysis } from './analyze-levels.js'

const bitsPer = (bytes: number, values: number) => (values ? ((bytes * 8) / values).toFixed(3) : '-')

/** One row per level: what our coder writes (everything counted) beside its bound and the baselines. */
export function renderAnalysis(levels: readonly LevelAnalysis[]): string {
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
  ].join('\n')
}

import type { Measurement } from './measure.js'

/** The targets, for qchain rows; the GPTQ reference holds for its 4096 x 4096, 4096-token case only. */
export const TARGETS = { encodeMBps: 300, decodeOverZstd3: 1.5, speedupPerWorker: 0.9, gptqSeconds: 0.8 + 10.9, chainPeakRssBytes: 2 * 2 ** 30 } as const

/** Marks each row a target applies to with the target and whether it is met; failures stay in the table. */
export function applyTargets(rows: Measurement[]): void {
  for (const row of rows) {
    if (row.method === 'gptq' && row.name === 'gptq 4096x4096 4096 tokens: total') {
      setTarget(row, `<= ${TARGETS.gptqSeconds.toFixed(1)} s (PyTorch CPU)`, row.seconds <= TARGETS.gptqSeconds)
    }
    if (row.method !== 'qchain') continue
    if (row.operation === 'chain') {
      // The memory target is for the 1.1B-parameter model; the quick run's small one only exercises the path.
      if (row.peakRssBytes !== undefined && row.name.includes(RSS_TARGET_SHAPE)) setTarget(row, 'peak RSS < 2 GiB', row.peakRssBytes < TARGETS.chainPeakRssBytes)
      continue
    }
    if (row.workers > 1) {
      const single = rows.find((other) => other.name === row.name && other.workers === 1)
      if (!single) continue
      row.speedup = single.seconds / row.seconds
      const needed = TARGETS.speedupPerWorker * row.workers
      setTarget(row, `speedup >= ${needed.toFixed(1)}x`, row.speedup >= needed)
    } else if (row.operation === 'encode') {
      setTarget(row, `>= ${TARGETS.encodeMBps} MB/s per core`, row.MBps >= TARGETS.encodeMBps)
    } else if (row.level?.startsWith('16|')) {
      const zstd = rows.find((other) => other.group === row.group && other.method === 'zstd-3' && other.operation === 'decode')
      if (zstd) setTarget(row, `>= ${TARGETS.decodeOverZstd3}x zstd-3 decode (${(TARGETS.decodeOverZstd3 * zstd.MBps).toFixed(0)} MB/s)`, row.MBps >= TARGETS.decodeOverZstd3 * zstd.MBps)
    }
  }
}

/** The model shape the peak-memory target is stated for. */
export const RSS_TARGET_SHAPE = 'tinyllama-1.1b'

function setTarget(row: Measurement, target: string, pass: boolean): void {
  row.target = target
  row.pass = pass
}

import { createHash } from 'node:crypto'

/** One benchmark row: MBps counts uncompressed bytes (1e6 per second), ratio is compressed / raw. */
export interface Measurement {
  name: string
  group: string
  /** qchain, or the baseline measured beside it: zstd-3, zstd-19, lz4, zipnn-split, safetensors, gptq. */
  method: string
  /** startup: a fixed cost measured on its own (no bytes); chain: a whole `qchain chain` run (quantize, encode, verify). */
  operation: 'encode' | 'decode' | 'quantize' | 'startup' | 'chain'
  /** The chain level a qchain decode rebuilds, e.g. 16|int8. */
  level?: string
  /** Threads the codec ran on (baselines run on one). */
  workers: number
  inputBytes: number
  outputBytes: number
  /** Median of `runs` timed runs, after one warm-up run (none for zstd-19 compress: one run of tens of seconds). */
  seconds: number
  /** The fastest and slowest of those runs: how far this machine's noise moved them. */
  fastestSeconds?: number
  slowestSeconds?: number
  runs: number
  MBps: number
  ratio: number
  /** SHA-256 of the uncompressed bytes, and of what this row's output decodes back to: equal when it round-trips. */
  rawSha256?: string
  restoredSha256?: string
  /** The largest resident set a chain row's process reached. */
  peakRssBytes?: number
  /** Seconds with one worker / seconds with this row's workers. */
  speedup?: number
  /** A target this row is held to, and whether it meets it. */
  target?: string
  pass?: boolean
}

/** Wall times of a row's runs: the median and the extremes. */
export type Timing = Pick<Measurement, 'seconds' | 'fastestSeconds' | 'slowestSeconds'>

/** Median wall time of `runs` calls (with the fastest and slowest), after one untimed warm-up call unless `warmUp` is false. */
export async function timeMedian<T>(runs: number, work: () => T | Promise<T>, warmUp = true): Promise<{ timing: Timing; result: T }> {
  let result = warmUp ? await work() : (undefined as T)
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    result = await work()
    times.push((performance.now() - start) / 1000)
  }
  times.sort((a, b) => a - b)
  return { timing: { seconds: times[Math.floor(times.length / 2)] as number, fastestSeconds: times[0] as number, slowestSeconds: times[times.length - 1] as number }, result }
}

/** A row; an encode or quantize takes raw bytes in and gives coded ones out, a decode the reverse. */
export function measurement(fields: Omit<Measurement, 'MBps' | 'ratio' | 'workers'> & { workers?: number }): Measurement {
  const [raw, coded] = fields.operation === 'decode' ? [fields.outputBytes, fields.inputBytes] : [fields.inputBytes, fields.outputBytes]
  return { workers: 1, ...fields, MBps: fields.seconds > 0 ? raw / 1e6 / fields.seconds : 0, ratio: coded / raw }
}

export function sha256Of(chunks: Iterable<Uint8Array>): string {
  const hash = createHash('sha256')
  for (const chunk of chunks) hash.update(chunk)
  return hash.digest('hex')
}

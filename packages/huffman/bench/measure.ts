/** One benchmark row; MBps is uncompressed megabytes (1e6) per second. */
export interface Measurement {
  name: string
  inputBytes: number
  outputBytes: number
  seconds: number
  MBps: number
  ratio: number
}

/** Median wall time of `runs` calls after one warm-up call; returns the last call's result. */
export async function timeMedian<T>(runs: number, work: () => T | Promise<T>): Promise<{ seconds: number; result: T }> {
  let result = await work()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    result = await work()
    times.push((performance.now() - start) / 1000)
  }
  times.sort((a, b) => a - b)
  return { seconds: times[Math.floor(times.length / 2)] as number, result }
}

/** Builds a row; `rawBytes` is the uncompressed size, the basis for MB/s and the ratio. */
export function measurement(name: string, inputBytes: number, outputBytes: number, seconds: number, rawBytes: number, compressedBytes: number): Measurement {
  return { name, inputBytes, outputBytes, seconds, MBps: seconds > 0 ? rawBytes / 1e6 / seconds : 0, ratio: compressedBytes / rawBytes }
}

export function formatTable(rows: Measurement[]): string {
  const header = ['name', 'input bytes', 'output bytes', 'seconds', 'MB/s', 'ratio']
  const cells = rows.map((row) => [row.name, String(row.inputBytes), String(row.outputBytes), row.seconds.toFixed(4), row.MBps.toFixed(0), row.ratio.toFixed(5)])
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => (cell[column] as string).length)))
  const line = (cell: string[]) => cell.map((text, column) => (column === 0 ? text.padEnd(widths[column] as number) : text.padStart(widths[column] as number))).join('  ')
  return [line(header), ...cells.map(line)].join('\n')
}

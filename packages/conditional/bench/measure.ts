/** One benchmark row; MBps is megabytes (1e6) of fp16 weights per second, ratio is output / raw. */
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

export function row(name: string, inputBytes: number, outputBytes: number, seconds: number, rawBytes: number, compressedBytes: number): Measurement {
  return { name, inputBytes, outputBytes, seconds, MBps: seconds > 0 ? rawBytes / 1e6 / seconds : 0, ratio: compressedBytes / rawBytes }
}

export function formatTable(rows: Measurement[]): string {
  const header = ['name', 'input bytes', 'output bytes', 'seconds', 'MB/s', 'ratio']
  const cells = rows.map((r) => [r.name, String(r.inputBytes), String(r.outputBytes), r.seconds.toFixed(4), r.MBps.toFixed(0), r.ratio.toFixed(5)])
  const widths = header.map((title, c) => Math.max(title.length, ...cells.map((cell) => (cell[c] as string).length)))
  const line = (cell: string[]) => cell.map((text, c) => (c === 0 ? text.padEnd(widths[c] as number) : text.padStart(widths[c] as number))).join('  ')
  return [line(header), ...cells.map(line)].join('\n')
}

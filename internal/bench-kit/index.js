/**
 * Median time of `runs` calls after one warm-up call; returns the last call's result.
 * `clock: 'cpu'` times by this process's CPU time (all threads): per-core speed on a busy machine.
 */
export async function timeMedian(runs, work, clock = 'wall') {
  const now = clock === 'cpu' ? () => { const used = process.cpuUsage(); return (used.user + used.system) / 1e6 } : () => performance.now() / 1000
  let result = await work()
  const times = []
  for (let i = 0; i < runs; i++) {
    const start = now()
    result = await work()
    times.push(now() - start)
  }
  times.sort((a, b) => a - b)
  return { seconds: times[Math.floor(times.length / 2)], result }
}

/** A row; `rawBytes` (the uncompressed size) is the basis of MB/s and of the ratio. */
export function measurement(name, inputBytes, outputBytes, seconds, rawBytes, compressedBytes) {
  return { name, inputBytes, outputBytes, seconds, MBps: seconds > 0 ? rawBytes / 1e6 / seconds : 0, ratio: compressedBytes / rawBytes }
}

export function formatTable(rows) {
  const header = ['name', 'input bytes', 'output bytes', 'seconds', 'MB/s', 'ratio']
  const cells = rows.map((row) => [row.name, String(row.inputBytes), String(row.outputBytes), row.seconds.toFixed(4), row.MBps.toFixed(0), row.ratio.toFixed(5)])
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)))
  const line = (cell) => cell.map((text, column) => (column === 0 ? text.padEnd(widths[column]) : text.padStart(widths[column]))).join('  ')
  return [line(header), ...cells.map(line)].join('\n')
}

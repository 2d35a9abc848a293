import { formatBytes, formatTable } from '../format-table.js'
import { renderPairs } from '../analyze/render.js'
import type { ChainReport } from './report.js'

const ratio = (part: number, whole: number) => (whole ? (part / whole).toFixed(3) : '-')

export function renderReportMarkdown(report: ChainReport): string {
  const raw = report.levels.reduce((sum, level) => sum + level.rawBytes, 0)
  const levelRows = report.levels.map((level) => [
    level.parent ? `${level.level}\\|${level.parent}` : level.level,
    formatBytes(level.rawBytes),
    formatBytes(level.ownBytes),
    level.bitsPerWeight.toFixed(3),
    ratio(level.ownBytes, level.rawBytes),
    formatBytes(level.readBytes),
    level.meanNll === undefined ? '-' : `${level.meanNll.toFixed(4)} (ppl ${level.perplexity?.toFixed(3)})`,
  ])
  const methodRows = report.methods.map((method) => [method.method, ...method.levels.map(formatBytes), formatBytes(method.total), ratio(method.total, raw)])
  return [
    `# qchain chain: ${report.name}`,
    '',
    `Source ${report.source}; container ${report.container}: **${formatBytes(report.containerBytes)}** for ${report.levels.length} levels in \`${report.topology}\`, ${ratio(report.containerBytes, raw)} of the levels stored apart (${formatBytes(raw)}); shared tensors and files ${formatBytes(report.sharedBytes)}; header, index and footer ${formatBytes(report.indexBytes)}.`,
    '',
    '## Levels',
    '',
    formatTable(['level', 'files', 'in container', 'bits/weight', 'share of files', 'read to rebuild', 'mean NLL (nats/token)'], levelRows),
    '',
    '## Conditional pairs (every byte counted)',
    '',
    renderPairs(report.pairs),
    '',
    '## The same levels stored by other methods',
    '',
    formatTable(['method', ...report.levels.map((level) => `level ${level.level}`), 'total', 'share of raw'], methodRows),
    '',
    "Every method's bytes include what it needs to restore the level, except the seed's method, which (like QStore) stores only the paired matrices of a conditional level, not its unquantized tensors. The container row puts the shared sections, header and index on the base level.",
    '',
    '## Times and memory',
    '',
    formatTable(['stage', 'seconds', 'peak RSS so far'], Object.entries(report.times).map(([stage, seconds]) => [stage, seconds.toFixed(1), formatBytes(report.peakRssAfter[stage] ?? 0)])),
    '',
    `Peak memory (resident set) of the run: ${formatBytes(report.peakRssBytes)}.`,
    '',
  ].join('\n')
}

const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2']

/** Stacked horizontal bars: bytes per level for each storage method, readable without the table. */
export function renderReportSvg(report: ChainReport): string {
  const methods = report.methods
  const widest = Math.max(...methods.map((method) => method.total), 1)
  const [left, barWidth, barHeight, gap, top] = [230, 520, 26, 14, 50]
  const height = top + methods.length * (barHeight + gap) + 60
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + barWidth + 120}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<text x="10" y="24" font-size="16" font-weight="bold">${escape(report.name)}: bytes per level, by storage method</text>`,
  ]
  methods.forEach((method, row) => {
    const y = top + row * (barHeight + gap)
    parts.push(`<text x="${left - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end">${escape(method.method)}</text>`)
    let x = left
    method.levels.forEach((bytes, index) => {
      const width = (bytes / widest) * barWidth
      parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="${COLORS[index % COLORS.length]}"><title>level ${escape(report.levels[index]?.level ?? '')}: ${bytes} bytes</title></rect>`)
      x += width
    })
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + barHeight / 2 + 4}">${(method.total / 2 ** 20).toFixed(2)} MiB</text>`)
  })
  const legendY = top + methods.length * (barHeight + gap) + 20
  report.levels.forEach((level, index) => {
    const x = left + index * 110
    parts.push(`<rect x="${x}" y="${legendY}" width="14" height="14" fill="${COLORS[index % COLORS.length]}"/><text x="${x + 20}" y="${legendY + 12}">level ${escape(level.parent ? `${level.level}|${level.parent}` : level.level)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n')
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] as string)
}

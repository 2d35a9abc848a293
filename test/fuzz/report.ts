import { OUTCOMES } from './outcome.js'
import { failureCount, type Failure, type TargetReport } from './runner.js'

/** A fixed-width table: one row per target, one column per outcome. */
export function formatCounts(reports: readonly TargetReport[]): string {
  const header = ['target', 'cases', ...OUTCOMES, 'seconds']
  const rows = reports.map((report) => [report.target, String(report.cases), ...OUTCOMES.map((outcome) => String(report.counts[outcome])), (report.ms / 1000).toFixed(1)])
  const total = ['total', String(reports.reduce((sum, report) => sum + report.cases, 0)), ...OUTCOMES.map((outcome) => String(reports.reduce((sum, report) => sum + report.counts[outcome], 0))), (reports.reduce((sum, report) => sum + report.ms, 0) / 1000).toFixed(1)]
  const table = [header, ...rows, total]
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] as string).length)))
  return table.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join('  ')).join('\n')
}

/** How to replay a failure: the target, seed and case index determine it completely. */
export function formatFailure(failure: Failure): string {
  return [
    `${failure.outcome}: target ${failure.target} seed ${failure.seed} case ${failure.caseIndex}`,
    `  replay: npm run fuzz -- --target ${failure.target} --seed ${failure.seed} --case ${failure.caseIndex}`,
    `  mutation: ${failure.mutation}`,
    ...failure.detail.split('\n').map((line) => `  ${line}`),
  ].join('\n')
}

export function totalFailures(reports: readonly TargetReport[]): number {
  return reports.reduce((sum, report) => sum + failureCount(report), 0)
}

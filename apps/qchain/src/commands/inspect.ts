import { stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { readModelConfig, resolveModel, type ModelConfig } from '@qchain/model'
import { byteLength, type Dtype } from '@qchain/safetensors'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { isQchainError } from '@qchain/errors'
import { formatBytes, formatTable } from '../format-table.js'
import { UsageError } from '../usage-error.js'
import { summarizeContainer, type ContainerSummary } from '../container-summary.js'
import { openContainerFile } from '@qchain/format/node'
import type { CommandIO } from '../io.js'

export const HELP = `qchain inspect <path|hub-id|container.qchain> [--json]

Lists every tensor of a safetensors file or model folder (sharded or not): name, dtype,
shape, bytes, file; the totals; and the config.json summary when the folder has one.
For a .qchain container: its levels, topology, and per level the original files' size,
the sections it owns and what a reader fetches to rebuild it (per tensor with --json).`

export interface TensorRow {
  name: string
  dtype: Dtype
  shape: number[]
  parameters: number
  bytes: number
  file: string
}

export interface InspectReport {
  path: string
  files: string[]
  sharded: boolean
  tensors: TensorRow[]
  totals: { tensors: number; parameters: number; bytes: number; byDtype: Record<string, { tensors: number; parameters: number; bytes: number }> }
  config?: ModelConfig
  configProblem?: string
}

export async function inspectPath(reference: string): Promise<InspectReport> {
  const { path } = await resolveModel(reference)
  const folder = await openSafetensorsFolder(path)
  try {
    const tensors: TensorRow[] = [...folder.tensors.values()].map(({ info, fileName }) => ({
      name: info.name,
      dtype: info.dtype,
      shape: info.shape,
      parameters: info.shape.reduce((product, dim) => product * dim, 1),
      bytes: byteLength(info.shape, info.dtype) ?? 0,
      file: fileName,
    }))
    const report: InspectReport = { path, files: [...folder.files.keys()], sharded: folder.index !== undefined, tensors, totals: totalsOf(tensors) }
    if ((await stat(path)).isDirectory()) await addConfig(report, path)
    return report
  } finally {
    await folder.close()
  }
}

async function addConfig(report: InspectReport, dir: string): Promise<void> {
  try {
    report.config = await readModelConfig(dir)
  } catch (error) {
    // A folder without a supported config is still worth listing; say why there is no summary.
    if (!isQchainError(error)) throw error
    report.configProblem = error.message
  }
}

function totalsOf(tensors: readonly TensorRow[]): InspectReport['totals'] {
  const totals: InspectReport['totals'] = { tensors: 0, parameters: 0, bytes: 0, byDtype: {} }
  for (const tensor of tensors) {
    const slot = (totals.byDtype[tensor.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 })
    for (const sum of [totals, slot]) {
      sum.tensors++
      sum.parameters += tensor.parameters
      sum.bytes += tensor.bytes
    }
  }
  return totals
}

export function renderInspect(report: InspectReport): string {
  const rows = report.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, t.parameters.toLocaleString('en-US'), formatBytes(t.bytes), t.file])
  const lines = [formatTable(['tensor', 'dtype', 'shape', 'parameters', 'bytes', 'file'], rows), '']
  const { totals } = report
  lines.push(`${totals.tensors} tensors, ${totals.parameters.toLocaleString('en-US')} parameters, ${formatBytes(totals.bytes)} in ${report.files.length} file(s)${report.sharded ? ' (sharded)' : ''}`)
  for (const [dtype, sum] of Object.entries(totals.byDtype)) {
    lines.push(`  ${dtype}: ${sum.tensors} tensors, ${sum.parameters.toLocaleString('en-US')} parameters`)
  }
  if (report.config) {
    const c = report.config
    lines.push(
      `config: ${c.architecture} (${c.modelType}), ${c.numLayers} layers, hidden ${c.hiddenSize}, intermediate ${c.intermediateSize}, ` +
        `${c.numHeads} heads / ${c.numKvHeads} kv heads of ${c.headDim}, vocab ${c.vocabSize}, rope_theta ${c.ropeTheta}` +
        `${c.tieWordEmbeddings ? ', tied embeddings' : ''}${c.torchDtype ? `, ${c.torchDtype}` : ''}${c.quantizationConfig ? `, quantized (${String(c.quantizationConfig.quant_method ?? 'unknown')})` : ''}`,
    )
  } else if (report.configProblem) {
    lines.push(`config: none summarized (${report.configProblem})`)
  }
  return lines.join('\n')
}

export async function run(args: string[], { print }: CommandIO): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true })
  if (positionals.length !== 1) {
    throw new UsageError(`inspect takes exactly one path, got ${positionals.length}`)
  }
  const path = positionals[0] as string
  if (path.endsWith('.qchain')) {
    const container = await openContainerFile(path)
    try {
      const summary = summarizeContainer(container)
      print(values.json ? JSON.stringify(summary, null, 2) : renderContainer(summary))
    } finally {
      await container.close()
    }
    return
  }
  const report = await inspectPath(path)
  print(values.json ? JSON.stringify(report, null, 2) : renderInspect(report))
}

function renderContainer(summary: ContainerSummary): string {
  const rows = summary.levels.map((level) => [level.level, level.parent ?? '(base)', String(level.files.length), formatBytes(level.originalBytes), formatBytes(level.ownBytes), formatBytes(level.readBytes)])
  return [
    `container of ${formatBytes(summary.size)}, topology ${summary.topology}, shared sections ${formatBytes(summary.sharedBytes)}, header + index + footer ${formatBytes(summary.indexBytes)}`,
    '',
    formatTable(['level', 'parent', 'files', 'original files', 'own sections', 'read to rebuild'], rows),
  ].join('\n')
}

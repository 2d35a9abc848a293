import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { chainReader, type MatrixValue } from '@qchain/chain'
import { verifyChain, writeChain } from '@qchain/chain/node'
import { PairAnalyzer, type Child, type Parent } from '@qchain/conditional'
import { QchainError } from '@qchain/errors'
import { openContainerFile } from '@qchain/format/node'
import { readModelConfig, resolveModel, type ModelConfig } from '@qchain/model'
import { openCheckpoint } from '@qchain/quantize'
import { openSafetensorsFolder, type SafetensorsFolder } from '@qchain/safetensors/node'
import { analyzeQuantized, analyzeSixteenBit } from '../analyze/analyze-levels.js'
import { sequencesFor } from '../calibration-source.js'
import type { ChainConfig } from '../config/load.js'
import { formatTopology } from '../config/topology.js'
import { summarizeContainer } from '../container-summary.js'
import type { Progress } from '../progress.js'
import { writeTextAtomically } from '../write-text.js'
import type { Logger } from 'pino'
import { folderBytes, folderZstd } from './baselines.js'
import { levelFolders, type LevelFolder } from './level-plan.js'
import { levelPerplexity } from './level-perplexity.js'
import { quantizeInThread } from './quantize-thread.js'
import { renderReportMarkdown, renderReportSvg } from './render-report.js'
import type { ChainReport, LevelReport, MethodReport, PairReport } from './report.js'

export interface ChainRun {
  report: ChainReport
  reportDir: string
}

/** config -> quantize -> encode -> verify -> evaluate -> report, each stage timed. */
export async function runChain(config: ChainConfig, progress: Progress, logger: Logger): Promise<ChainRun> {
  const times: Record<string, number> = {}
  const peaks: Record<string, number> = {}
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    logger.info({ stage }, 'stage started')
    const started = performance.now()
    try {
      return await work()
    } finally {
      times[stage] = (performance.now() - started) / 1000
      // The process's peak so far: a rise from one stage to the next is that stage's peak.
      peaks[stage] = peakRss()
      logger.info({ stage, seconds: times[stage] }, 'stage finished')
    }
  }
  const { path: sourceDir } = await resolveModel(config.source, { cwd: config.baseDir })
  const modelConfig = await readModelConfig(sourceDir).catch(() => undefined)
  const outDir = config.output.dir
  await mkdir(outDir, { recursive: true })
  const workDir = config.output.checkpoints ? join(outDir, `${config.name}-levels`) : join(outDir, `.${config.name}.levels.tmp`)
  const folders = levelFolders(config, sourceDir, workDir)
  try {
    await timed('quantize', () => quantizeLevels(config, sourceDir, modelConfig, folders, progress))
    const container = join(outDir, `${config.name}.qchain`)
    const pairs = new Map<string, { parent: string; analyzer: PairAnalyzer }>()
    await timed('encode', () =>
      writeChain(
        container,
        folders.map(({ level, parent, dir }) => ({ name: level, parent, dir })),
        {
          metadata: { qchain: '0.1.0', source: config.source, topology: formatTopology(config.topology) },
          ...(config.workers !== undefined && { workers: config.workers }),
          onProgress: ({ level, done, total }) => progress.update(`encode ${level}`, done + 1, total),
          onPair: ({ level, parent, child, parentValue }) => {
            const pair = pairs.get(level) ?? { parent, analyzer: new PairAnalyzer() }
            pairs.set(level, pair)
            pair.analyzer.add(child.value as Child, asParent(parentValue))
          },
        },
      ),
    )
    if (config.verify) await timed('verify', () => verifyContainer(container, progress, config.workers))
    logger.info({ container }, 'container written')
    const quality = config.evaluation.enabled && modelConfig ? await timed('evaluate', () => evaluateLevels(config, sourceDir, modelConfig, folders)) : new Map<string, { meanNll: number; perplexity: number }>()
    const report = await timed('report', () => buildReport(config, container, folders, pairs, quality, progress))
    report.times = times
    report.peakRssAfter = peaks
    report.peakRssBytes = peakRss()
    await writeTextAtomically(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
    await writeTextAtomically(join(outDir, 'report.md'), renderReportMarkdown(report))
    await writeTextAtomically(join(outDir, 'report.svg'), renderReportSvg(report))
    return { report, reportDir: outDir }
  } finally {
    if (!config.output.checkpoints) await rm(workDir, { recursive: true, force: true })
  }
}

async function quantizeLevels(config: ChainConfig, sourceDir: string, modelConfig: ModelConfig | undefined, folders: readonly LevelFolder[], progress: Progress): Promise<void> {
  const outputs = folders.flatMap((folder) => (folder.request ? [{ request: folder.request, target: folder.dir }] : []))
  if (outputs.length === 0) return
  const needsCalibration = outputs.some(({ request }) => request.method === 'gptq')
  const calibration = needsCalibration && modelConfig ? await sequencesFor(sourceDir, modelConfig.vocabSize, { ...config.calibration, split: 'calibration' }) : undefined
  await quantizeInThread({ sourceDir, outputs, ...(calibration && { calibration }) }, (event) =>
    event.stage === 'gptq' ? progress.update('quantize', event.layer, event.layers, `block ${event.layer + 1}, level ${event.level}, ${event.group}`) : progress.update('quantize', event.done, event.total),
  )
}

async function verifyContainer(path: string, progress: Progress, workers: number | undefined): Promise<void> {
  const container = await openContainerFile(path)
  try {
    const reader = chainReader(container)
    const total = container.levels.reduce((sum, level) => sum + reader.files(level).length, 0)
    let done = 0
    const { failures } = await verifyChain(reader, container.levels, { onFile: (level, file) => progress.update('verify', ++done, total, `${level}: ${file}`), ...(workers !== undefined && { workers }) })
    if (failures.length > 0) {
      const first = failures[0]
      throw new QchainError('VERIFY_FAILED', `${failures.length} file(s) do not rebuild as recorded, first ${first?.file} of level ${first?.level}`, { file: path, level: first?.level ?? '' }, 'verification')
    }
  } finally {
    await container.close()
  }
}

async function evaluateLevels(config: ChainConfig, sourceDir: string, modelConfig: ModelConfig, folders: readonly LevelFolder[]): Promise<Map<string, { meanNll: number; perplexity: number }>> {
  const sequences = await sequencesFor(sourceDir, modelConfig.vocabSize, { ...config.evaluation, split: 'evaluation' })
  const results = new Map<string, { meanNll: number; perplexity: number }>()
  for (const folder of folders) results.set(folder.level, await levelPerplexity(folder.dir, sequences))
  return results
}

async function buildReport(
  config: ChainConfig,
  path: string,
  folders: readonly LevelFolder[],
  pairs: ReadonlyMap<string, { parent: string; analyzer: PairAnalyzer }>,
  quality: ReadonlyMap<string, { meanNll: number; perplexity: number }>,
  progress: Progress,
): Promise<ChainReport> {
  const container = await openContainerFile(path)
  const summary = summarizeContainer(container)
  await container.close()
  const sixteen = folders.find((folder) => folder.level === '16')
  const pairReports: PairReport[] = [...pairs].map(([level, { parent, analyzer }]) => {
    const result = analyzer.result()
    return { level, parent, weights: result.weights, residualBytes: result.residual.total, qstoreBytes: result.qstore.total, boundBits: result.boundBits }
  })
  const levels: LevelReport[] = []
  const zstd: number[] = []
  const alone: number[] = []
  const seed: number[] = []
  const sixteenFolder = sixteen ? await openSafetensorsFolder(sixteen.dir) : undefined
  try {
    for (const [index, folder] of folders.entries()) {
      progress.update('report', index + 1, folders.length, `level ${folder.level}`)
      const entry = summary.levels.find((level) => level.level === folder.level)
      const analysis = config.report.baselines ? await analyzeLevel(folder, sixteenFolder) : undefined
      const pair = pairReports.find((candidate) => candidate.level === folder.level)
      const weights = pair?.weights ?? analysis?.values ?? (await levelWeights(folder))
      const ownBytes = entry?.ownBytes ?? 0
      levels.push({
        level: folder.level,
        parent: folder.parent,
        folder: folder.dir,
        rawBytes: await folderBytes(folder.dir),
        weights,
        ownBytes,
        bitsPerWeight: weights ? (ownBytes * 8) / weights : 0,
        readBytes: entry?.readBytes ?? 0,
        ...quality.get(folder.level),
      })
      if (analysis) {
        zstd.push((await folderZstd(folder.dir, 19)).compressed)
        const aloneBytes = analysis.coded.bytes + analysis.side.bytes + analysis.unchangedBytes
        alone.push(aloneBytes)
        // QStore keeps the base level Huffman-coded alone and each other level as its bucketed pair.
        seed.push(pair ? pair.qstoreBytes : aloneBytes)
      }
    }
  } finally {
    await sixteenFolder?.close()
  }
  const method = (name: string, bytes: number[]): MethodReport => ({ method: name, levels: bytes, total: bytes.reduce((a, b) => a + b, 0) })
  // The container's bar: each level's own sections, with everything shared (tensors, files, header, index) on the base level.
  const own = levels.map((level) => level.ownBytes)
  const overhead = summary.size - own.reduce((a, b) => a + b, 0)
  return {
    name: config.name,
    source: config.source,
    container: path,
    topology: summary.topology,
    containerBytes: summary.size,
    sharedBytes: summary.sharedBytes,
    indexBytes: summary.indexBytes,
    levels,
    pairs: pairReports,
    methods: [
      method('raw checkpoint files', levels.map((level) => level.rawBytes)),
      ...(config.report.baselines ? [method('zstd-19, each level apart', zstd), method('Huffman alone (ZipNN split for 16-bit)', alone), method("seed's method (QStore buckets)", seed)] : []),
      method('qchain container', own.map((bytes, index) => (levels[index]?.parent === null ? bytes + overhead : bytes))),
    ],
    times: {},
    peakRssAfter: {},
    peakRssBytes: 0,
  }
}

/** maxRSS is in kilobytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024

/** Weights a level codes: every parameter of a 16-bit model, the quantized matrices' of a quantized one. */
async function levelWeights(folder: LevelFolder): Promise<number> {
  if (folder.level === '16') {
    const model = await openSafetensorsFolder(folder.dir)
    try {
      return [...model.tensors.values()].reduce((sum, { info }) => sum + info.shape.reduce((a, b) => a * b, 1), 0)
    } finally {
      await model.close()
    }
  }
  const checkpoint = await openCheckpoint(folder.dir)
  try {
    return checkpoint.prefixes.reduce((sum, prefix) => sum + checkpoint.matrixShape(prefix).reduce((a, b) => a * b, 1), 0)
  } finally {
    await checkpoint.close()
  }
}

function analyzeLevel(folder: LevelFolder, sixteenFolder: SafetensorsFolder | undefined) {
  return folder.level === '16' || !sixteenFolder ? analyzeSixteenBit(folder.dir, { baselines: false }) : analyzeQuantized(folder.dir, sixteenFolder, { baselines: false })
}

/** The conditional codecs take a quantized parent; a 16-bit parent never reaches here (writeChain refuses it). */
function asParent(value: MatrixValue): Parent {
  return value.value as Parent
}

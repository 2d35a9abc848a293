import { QchainError } from '@qchain/errors'
import type { Dtype } from '@qchain/safetensors'
import { openSafetensorsFolder, type SafetensorsFolder } from '@qchain/safetensors/node'
import { openCheckpoint, type QuantizedCheckpoint } from '@qchain/quantize'
import { typedView } from '@qchain/tensor'
import { addBaselines, baselineSizes, NO_BASELINES, type BaselineSizes } from './baselines.js'
import { addCosts, bytePlaneCost, codeStream, EMPTY_COST, type StreamCost } from './coded-stream.js'

export interface TensorAnalysis {
  name: string
  /** Weights (or codes) in the tensor. */
  values: number
  rawBytes: number
  /** The values as our coder writes them (byte planes for 16-bit, codes for quantized levels). */
  coded: StreamCost
  /** Scales, zeros, g_idx or SCB, Huffman-coded (quantized matrices only). */
  side: StreamCost
}

export interface LevelAnalysis {
  level: string
  path: string
  /** Quantized matrices, or every 16-bit tensor of the 16-bit level. */
  tensors: TensorAnalysis[]
  /** Tensors a quantized level keeps unchanged (embeddings, norms, biases): shared with the 16-bit level in a chain. */
  unchangedBytes: number
  values: number
  rawBytes: number
  coded: StreamCost
  side: StreamCost
  /** General-purpose compressors over the same tensors' bytes as stored. */
  baselines: BaselineSizes
}

const SIXTEEN_BIT = new Set<Dtype>(['F16', 'BF16'])

/** The 16-bit model: each tensor's byte planes Huffman-coded (the ZipNN method), beside the baselines. */
export interface AnalyzeOptions {
  onTensor?: (done: number, total: number) => void
  /** lz4 / zstd-3 / zstd-19 of every tensor; the chain report skips them (it has its own zstd row). */
  baselines?: boolean
}

export async function analyzeSixteenBit(path: string, { onTensor, baselines: withBaselines = true }: AnalyzeOptions = {}): Promise<LevelAnalysis> {
  const folder = await openSafetensorsFolder(path)
  try {
    const tensors: TensorAnalysis[] = []
    let baselines = NO_BASELINES
    const all = [...folder.tensors.values()]
    for (const [done, { info }] of all.entries()) {
      onTensor?.(done, all.length)
      const bytes = await folder.read(info.name)
      const coded = SIXTEEN_BIT.has(info.dtype) ? bytePlaneCost(typedView(bytes, 'F16'), info.name) : codeStream(Uint8Array.from(bytes), 256, info.name)
      tensors.push({ name: info.name, values: info.shape.reduce((a, b) => a * b, 1), rawBytes: bytes.length, coded, side: EMPTY_COST })
      if (withBaselines) baselines = addBaselines(baselines, baselineSizes(bytes))
    }
    return summarize('16', path, tensors, 0, baselines)
  } finally {
    await folder.close()
  }
}

/**
 * A quantized level (GPTQ or LLM.int8 folder): every quantized matrix's codes coded alone,
 * its scales/zeros/g_idx (or SCB) as side information, checked against the 16-bit model's shapes.
 */
export async function analyzeQuantized(path: string, sixteenBit: SafetensorsFolder, { onTensor, baselines: withBaselines = true }: AnalyzeOptions = {}): Promise<LevelAnalysis> {
  const checkpoint = await openCheckpoint(path)
  try {
    const tensors: TensorAnalysis[] = []
    let baselines = NO_BASELINES
    const stored = new Set<string>()
    for (const [done, prefix] of checkpoint.prefixes.entries()) {
      onTensor?.(done, checkpoint.prefixes.length)
      checkShapeAgainst(sixteenBit, checkpoint, prefix, path)
      tensors.push(await analyzeMatrix(checkpoint, prefix))
      for (const name of matrixTensorNames(checkpoint, prefix)) {
        stored.add(name)
        if (withBaselines) baselines = addBaselines(baselines, baselineSizes(await checkpoint.folder.read(name)))
      }
    }
    let unchangedBytes = 0
    for (const { info } of checkpoint.folder.tensors.values()) if (!stored.has(info.name)) unchangedBytes += info.end - info.begin
    const level = checkpoint.kind === 'gptq' ? String(checkpoint.gptq?.bits) : 'int8'
    return summarize(level, path, tensors, unchangedBytes, baselines)
  } finally {
    await checkpoint.close()
  }
}

async function analyzeMatrix(checkpoint: QuantizedCheckpoint, prefix: string): Promise<TensorAnalysis> {
  const rawBytes = matrixTensorNames(checkpoint, prefix).reduce((sum, name) => sum + sizeOf(checkpoint.folder, name), 0)
  if (checkpoint.kind === 'int8') {
    const level = await checkpoint.readInt8(prefix)
    const codes = new Uint8Array(level.weight.buffer, level.weight.byteOffset, level.weight.byteLength)
    const scb = new Uint8Array(level.scb.buffer, level.scb.byteOffset, level.scb.byteLength)
    return { name: prefix, values: codes.length, rawBytes, coded: codeStream(codes, 256, prefix), side: { ...codeStream(Uint8Array.from(scb), 256, `${prefix}.SCB`), values: level.rows } }
  }
  const codes = await checkpoint.readCodes(prefix)
  const bits = checkpoint.gptq?.bits ?? 8
  const groups = Math.max(...codes.gIdx) + 1
  const side = [bytePlaneCost(codes.scales, `${prefix}.scales`), codeStream(Uint16Array.from(codes.zeros), (1 << bits) + 1, `${prefix}.qzeros`), codeStream(Uint16Array.from(codes.gIdx), Math.max(groups, 1), `${prefix}.g_idx`)].reduce(addCosts)
  return { name: prefix, values: codes.codes.length, rawBytes, coded: codeStream(codes.codes, 1 << bits, prefix), side }
}

function matrixTensorNames(checkpoint: QuantizedCheckpoint, prefix: string): string[] {
  return checkpoint.kind === 'int8' ? [`${prefix}.weight`, `${prefix}.SCB`] : ['qweight', 'qzeros', 'scales', 'g_idx'].map((part) => `${prefix}.${part}`)
}

function sizeOf(folder: SafetensorsFolder, name: string): number {
  const info = folder.tensors.get(name)?.info
  return info ? info.end - info.begin : 0
}

/** A level belongs to a 16-bit model only if every quantized matrix has the 16-bit weight's element count. */
function checkShapeAgainst(sixteenBit: SafetensorsFolder, checkpoint: QuantizedCheckpoint, prefix: string, path: string): void {
  const weight = sixteenBit.tensors.get(`${prefix}.weight`)?.info
  const [rows, cols] = checkpoint.matrixShape(prefix)
  const [first, ...rest] = weight?.shape ?? []
  if (first !== rows || rest.reduce((a, b) => a * b, 1) !== cols) {
    throw new QchainError('ANALYZE_LEVEL_MISMATCH', `the level's matrix [${rows}, ${cols}] does not match the 16-bit model's ${weight ? `[${weight.shape.join(', ')}]` : 'tensors (no such weight)'}`, { file: path, tensor: `${prefix}.weight` })
  }
}

function summarize(level: string, path: string, tensors: TensorAnalysis[], unchangedBytes: number, baselines: BaselineSizes): LevelAnalysis {
  return {
    level,
    path,
    tensors,
    unchangedBytes,
    values: tensors.reduce((sum, tensor) => sum + tensor.values, 0),
    rawBytes: tensors.reduce((sum, tensor) => sum + tensor.rawBytes, 0),
    coded: tensors.map((tensor) => tensor.coded).reduce(addCosts, EMPTY_COST),
    side: tensors.map((tensor) => tensor.side).reduce(addCosts, EMPTY_COST),
    baselines,
  }
}

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { dequantize, dequantizeInt8Rowwise, unpackGptqLayer, type CheckpointFormat, type Int8RowwiseLevel, type QuantCodes } from '@qchain/gptq'
import type { TensorInfo } from '@qchain/safetensors'
import { openSafetensorsFolder, type FolderTensor, type SafetensorsFolder } from '@qchain/safetensors/node'
import { typedView } from '@qchain/tensor'
import { QuantizeError } from './errors.js'

export interface GptqSettings {
  bits: number
  groupSize: number
  sym: boolean
  format: CheckpointFormat
}

export interface QuantizedCheckpoint {
  kind: 'gptq' | 'int8'
  folder: SafetensorsFolder
  /** GPTQ only: what quantize_config.json (or config.json) says, the format possibly overridden. */
  gptq?: GptqSettings
  /** The prefixes of the quantized matrices, e.g. model.layers.0.mlp.down_proj. */
  prefixes: string[]
  /** GPTQ: codes, true zero points, scales and g_idx of one matrix. */
  readCodes(prefix: string): Promise<QuantCodes>
  /** LLM.int8: codes and SCB of one matrix. */
  readInt8(prefix: string): Promise<Int8RowwiseLevel>
  /** [rows, cols] of a quantized matrix, from the stored shapes. */
  matrixShape(prefix: string): [number, number]
  /** The float32 weight [rows, cols] a kernel computes from the stored tensors. */
  dequantized(prefix: string): Promise<Float32Array>
  /** The folder as a 16-bit model would look: every quantized matrix as an F32 `<prefix>.weight`. */
  dequantizedView(): SafetensorsFolder
  close(): Promise<void>
}

const gptqConfigSchema = z.looseObject({
  bits: z.number().int(),
  group_size: z.number().int(),
  sym: z.boolean().default(true),
  checkpoint_format: z.enum(['gptq', 'gptq_v2']).optional(),
  quant_method: z.string().optional(),
})

/**
 * Opens a quantized checkpoint folder made by qchain or elsewhere: GPTQ (qweight, qzeros,
 * scales, g_idx; v1 or v2 zero points from checkpoint_format, or `format` when given for a
 * mislabelled checkpoint) or LLM.int8 (int8 weight + SCB).
 */
export async function openCheckpoint(dir: string, options: { format?: CheckpointFormat } = {}): Promise<QuantizedCheckpoint> {
  const folder = await openSafetensorsFolder(dir)
  try {
    const names = [...folder.tensors.keys()]
    const gptqPrefixes = names.filter((name) => name.endsWith('.qweight')).map((name) => name.slice(0, -'.qweight'.length))
    const int8Prefixes = names.filter((name) => name.endsWith('.SCB')).map((name) => name.slice(0, -'.SCB'.length))
    if (gptqPrefixes.length > 0) return gptqCheckpoint(folder, gptqPrefixes, await gptqSettings(dir, options.format))
    if (int8Prefixes.length > 0) return int8Checkpoint(folder, int8Prefixes)
    throw new QuantizeError('not-a-checkpoint', 'no quantized tensors (.qweight or .SCB) in this folder', { file: dir })
  } catch (error) {
    await folder.close()
    throw error
  }
}

async function gptqSettings(dir: string, override: CheckpointFormat | undefined): Promise<GptqSettings> {
  for (const [file, pick] of [
    ['quantize_config.json', (json: Record<string, unknown>) => json],
    ['config.json', (json: Record<string, unknown>) => json.quantization_config],
  ] as const) {
    const text = await readFile(join(dir, file), 'utf8').catch(() => undefined)
    if (text === undefined) continue
    const path = join(dir, file)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new QuantizeError('not-a-checkpoint', `not valid JSON: ${(error as Error).message}`, { file: path })
    }
    const candidate = pick(json as Record<string, unknown>)
    if (candidate === undefined) continue
    const parsed = gptqConfigSchema.safeParse(candidate)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new QuantizeError('not-a-checkpoint', issue?.message ?? 'invalid quantization config', { file: path, field: issue?.path.join('.') ?? '' })
    }
    const { bits, group_size: groupSize, sym, checkpoint_format: format } = parsed.data
    return { bits, groupSize, sym, format: override ?? format ?? 'gptq' }
  }
  throw new QuantizeError('not-a-checkpoint', 'a GPTQ folder needs quantize_config.json or a quantization_config in config.json', { file: dir })
}

function gptqCheckpoint(folder: SafetensorsFolder, prefixes: string[], gptq: GptqSettings): QuantizedCheckpoint {
  const tensorOf = async (prefix: string, part: string) => {
    const name = `${prefix}.${part}`
    const found = folder.tensors.get(name)
    if (!found) throw new QuantizeError('shape-mismatch', 'a quantized layer lacks this tensor', { file: folder.dir, tensor: name })
    return { data: await folder.read(name), shape: found.info.shape, dtype: found.info.dtype, name }
  }
  const readCodes = async (prefix: string): Promise<QuantCodes> => {
    const [qweight, qzeros, scales, gIdx] = await Promise.all(['qweight', 'qzeros', 'scales', 'g_idx'].map((part) => tensorOf(prefix, part)))
    for (const [tensor, dtype] of [[qweight, 'I32'], [qzeros, 'I32'], [scales, 'F16'], [gIdx, 'I32']] as const) {
      if (tensor?.dtype !== dtype) throw new QuantizeError('shape-mismatch', `expected ${dtype}, found ${tensor?.dtype}`, { file: folder.dir, tensor: tensor?.name ?? prefix })
    }
    const packed = {
      qweight: { data: typedView(qweight!.data, 'I32'), shape: qweight!.shape },
      qzeros: { data: typedView(qzeros!.data, 'I32'), shape: qzeros!.shape },
      scales: { data: typedView(scales!.data, 'F16'), shape: scales!.shape },
      gIdx: { data: typedView(gIdx!.data, 'I32'), shape: gIdx!.shape },
    }
    try {
      return unpackGptqLayer(packed, gptq.bits, gptq.format)
    } catch (error) {
      throw new QuantizeError('shape-mismatch', (error as Error).message, { file: folder.dir, tensor: `${prefix}.qweight` })
    }
  }
  const rowsCols = (prefix: string): [number, number] => {
    const qweight = folder.tensors.get(`${prefix}.qweight`)?.info.shape ?? []
    const gIdx = folder.tensors.get(`${prefix}.g_idx`)?.info.shape ?? []
    return [qweight[1] ?? 0, gIdx[0] ?? 0]
  }
  return checkpoint('gptq', folder, prefixes, async (prefix) => dequantize(await readCodes(prefix)), rowsCols, { gptq, readCodes })
}

function int8Checkpoint(folder: SafetensorsFolder, prefixes: string[]): QuantizedCheckpoint {
  const readInt8 = async (prefix: string): Promise<Int8RowwiseLevel> => {
    const weight = folder.tensors.get(`${prefix}.weight`)
    const scb = folder.tensors.get(`${prefix}.SCB`)
    const rows = weight?.info.shape[0] ?? 0
    if (!weight || weight.info.dtype !== 'I8' || scb?.info.dtype !== 'F32' || scb.info.shape.length !== 1 || scb.info.shape[0] !== rows) {
      throw new QuantizeError('shape-mismatch', 'an LLM.int8 layer needs an I8 weight and an F32 SCB with one value per row', { file: folder.dir, tensor: `${prefix}.weight` })
    }
    const codes = typedView(await folder.read(`${prefix}.weight`), 'I8')
    return { weight: codes, scb: typedView(await folder.read(`${prefix}.SCB`), 'F32'), rows, cols: codes.length / Math.max(rows, 1) }
  }
  const rowsCols = (prefix: string): [number, number] => {
    const shape = folder.tensors.get(`${prefix}.weight`)?.info.shape ?? []
    const [rows = 0, ...rest] = shape
    return [rows, rest.reduce((a, b) => a * b, 1)]
  }
  return checkpoint('int8', folder, prefixes, async (prefix) => dequantizeInt8Rowwise(await readInt8(prefix)), rowsCols, { readInt8 })
}

function checkpoint(
  kind: 'gptq' | 'int8',
  folder: SafetensorsFolder,
  prefixes: string[],
  dequantized: (prefix: string) => Promise<Float32Array>,
  rowsCols: (prefix: string) => [number, number],
  parts: Partial<Pick<QuantizedCheckpoint, 'gptq' | 'readCodes' | 'readInt8'>>,
): QuantizedCheckpoint {
  const unavailable = (what: string) => () => Promise.reject(new QuantizeError('not-a-checkpoint', `this is an ${kind} checkpoint, it has no ${what}`, { file: folder.dir }))
  return {
    kind,
    folder,
    prefixes,
    readCodes: unavailable('GPTQ codes'),
    readInt8: unavailable('LLM.int8 codes'),
    ...parts,
    matrixShape: rowsCols,
    dequantized,
    dequantizedView: () => dequantizedView(folder, prefixes, dequantized, rowsCols),
    close: () => folder.close(),
  }
}

/** A read-only folder in which every quantized matrix reads as its F32 dequantized weight. */
function dequantizedView(folder: SafetensorsFolder, prefixes: readonly string[], dequantized: (prefix: string) => Promise<Float32Array>, rowsCols: (prefix: string) => [number, number]): SafetensorsFolder {
  const quantizedNames = new Map(prefixes.map((prefix) => [`${prefix}.weight`, prefix]))
  const tensors = new Map<string, FolderTensor>(folder.tensors)
  for (const [name, prefix] of quantizedNames) {
    const [rows, cols] = rowsCols(prefix)
    const info: TensorInfo = { name, dtype: 'F32', shape: [rows, cols], begin: 0, end: rows * cols * 4 }
    const fileName = folder.tensors.get(`${prefix}.qweight`)?.fileName ?? folder.tensors.get(name)?.fileName ?? ''
    tensors.set(name, { info, fileName })
  }
  return {
    ...folder,
    tensors,
    async read(name) {
      const prefix = quantizedNames.get(name)
      if (prefix === undefined) return folder.read(name)
      const values = await dequantized(prefix)
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
    },
  }
}

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeChain } from '@qchain/chain/node'
import { quantizeModel } from '@qchain/quantize'
import { encodeHeader, type Dtype, type TensorSpec } from '@qchain/safetensors'
import { writeSafetensorsFile } from '@qchain/safetensors/node'
import { f32ToBf16, f32ToF16 } from '@qchain/tensor'
import { Rng } from '../rng.js'
import { randomWeights } from './levels.js'

/** A level folder's files, in memory. */
export type FolderFiles = Map<string, Uint8Array>

export interface TinyModel {
  /** GPTQ 4-bit (v1 zeros), GPTQ 8-bit (v2 zeros) and LLM.int8 checkpoint folders. */
  checkpoints: { name: string; files: FolderFiles }[]
  /** `4 > 8|4 > 16|8` over the fp16 model and `int8 > 16|int8` over the bf16 one. */
  containers: { name: string; bytes: Uint8Array }[]
}

/** Two matrices (one with three 32-column groups), a norm and an F32 bias: every codec of the chain layer. */
const TENSORS: readonly TensorSpec[] = [
  { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F16', shape: [64, 64] },
  { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'F16', shape: [32, 96] },
  { name: 'model.norm.weight', dtype: 'F16', shape: [64] },
  { name: 'lm_head.bias', dtype: 'F32', shape: [32] },
]

/** A 16-bit model folder without config.json, so quantizeModel treats every 2-D `*.weight` as a matrix. */
async function writeModel(dir: string, half: 'F16' | 'BF16', rng: Rng, tensors: readonly TensorSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  const specs = tensors.map((spec) => ({ ...spec, dtype: (spec.dtype === 'F16' ? half : spec.dtype) as Dtype }))
  const header = encodeHeader(specs)
  await writeSafetensorsFile(join(dir, 'model.safetensors'), header, (info) => {
    const values = randomWeights(rng, 1, info.shape.reduce((a, b) => a * b, 1))
    const data = info.dtype === 'F32' ? values : info.dtype === 'F16' ? f32ToF16(values) : f32ToBf16(values)
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  })
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: { a: 0, b: 1 } } }))
}

async function readFolder(dir: string): Promise<FolderFiles> {
  const files: FolderFiles = new Map()
  for (const name of (await readdir(dir)).sort()) files.set(name, new Uint8Array(await readFile(join(dir, name))))
  return files
}

/**
 * Builds the tiny model, its quantized levels and two containers in a temporary folder, reads
 * them into memory and removes the folder. Deterministic, so cases replay exactly. `tensors`
 * (2-D `*.weight` matrices with columns in groups of 32, plus anything else) replaces the
 * default set, e.g. for a smaller container.
 */
export async function buildTinyModel(tensors: readonly TensorSpec[] = TENSORS): Promise<TinyModel> {
  const root = await mkdtemp(join(tmpdir(), 'qchain-fuzz-model-'))
  try {
    const rng = new Rng(0x7171)
    const dir = (name: string) => join(root, name)
    await writeModel(dir('fp16'), 'F16', rng, tensors)
    await writeModel(dir('bf16'), 'BF16', rng, tensors)
    await quantizeModel(dir('fp16'), [
      { request: { method: 'rtn', options: { bits: 4, groupSize: 32 }, format: 'gptq' }, target: dir('gptq-4') },
      { request: { method: 'rtn', options: { bits: 8, groupSize: 32, sym: false }, format: 'gptq_v2' }, target: dir('gptq-8') },
    ])
    await quantizeModel(dir('bf16'), [{ request: { method: 'int8-rowwise' }, target: dir('int8') }])
    await writeChain(join(root, 'gptq.qchain'), [
      { name: '4', parent: null, dir: dir('gptq-4') },
      { name: '8', parent: '4', dir: dir('gptq-8') },
      { name: '16', parent: '8', dir: dir('fp16') },
    ])
    await writeChain(join(root, 'int8.qchain'), [
      { name: 'int8', parent: null, dir: dir('int8') },
      { name: '16', parent: 'int8', dir: dir('bf16') },
    ])
    return {
      checkpoints: await Promise.all(['gptq-4', 'gptq-8', 'int8'].map(async (name) => ({ name, files: await readFolder(dir(name)) }))),
      containers: await Promise.all(['gptq', 'int8'].map(async (name) => ({ name: `${name}.qchain`, bytes: new Uint8Array(await readFile(join(root, `${name}.qchain`))) }))),
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

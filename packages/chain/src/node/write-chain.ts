import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fg from 'fast-glob'
import { createContainerWriter } from '@qchain/format/node'
import type { ContainerWriter, TensorInput } from '@qchain/format'
import type { TensorInfo } from '@qchain/safetensors'
import { ChainError } from '../errors.js'
import { encodeMatrix, matrixPartBytes } from '../matrix-codecs.js'
import type { MatrixPart, MatrixValue } from '../matrix.js'
import { encodePlain } from '../plain-codecs.js'
import { orderLevels, type ChainLevel } from '../topology.js'
import { openLevelSource, type LevelSource } from './level-source.js'

export interface ChainLevelInput extends ChainLevel {
  /** The level's checkpoint folder: the 16-bit model, a GPTQ folder or an LLM.int8 folder. */
  dir: string
}

export interface WriteChainOptions {
  metadata?: Record<string, string>
  onProgress?: (event: { level: string; done: number; total: number }) => void
  /** Sees every matrix coded given a parent, e.g. to measure other codecs on the same pairs. */
  onPair?: (pair: { level: string; parent: string; prefix: string; child: MatrixValue; parentValue: MatrixValue }) => void
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/**
 * Writes a container holding every level's checkpoint files: the base level's matrices coded
 * alone, every other level's given its parent's, tensors identical across levels (and
 * verbatim files) stored once, each safetensors header kept as is so files rebuild byte for
 * byte. Tensors stream through one at a time; the container appears only when complete.
 */
export async function writeChain(path: string, inputs: readonly ChainLevelInput[], options: WriteChainOptions = {}): Promise<{ size: number }> {
  const ordered = orderLevels(inputs)
  const sources = new Map<string, LevelSource>()
  const writer = await createContainerWriter(path, { levels: ordered.map(({ name, parent }) => ({ name, parent })), ...(options.metadata && { metadata: options.metadata }) })
  try {
    for (const level of ordered) sources.set(level.name, await openLevelSource(level.name, level.dir))
    const shared = new Map<string, Pick<TensorInput, 'codec' | 'sections'>>()
    for (const level of ordered) {
      const source = sources.get(level.name) as LevelSource
      const parent = level.parent === null ? undefined : sources.get(level.parent)
      await addLevel(writer, source, parent, shared, options)
    }
    return await writer.finish()
  } catch (error) {
    await writer.abort()
    throw error
  } finally {
    await Promise.all([...sources.values()].map((source) => source.close()))
  }
}

async function addLevel(writer: ContainerWriter, source: LevelSource, parent: LevelSource | undefined, shared: Map<string, Pick<TensorInput, 'codec' | 'sections'>>, options: WriteChainOptions): Promise<void> {
  const level = source.name
  const weightFiles = new Set(source.folder.files.keys())
  for (const name of (await fg('*', { cwd: source.dir, onlyFiles: true })).sort()) {
    if (!weightFiles.has(name)) await writer.addFile(level, name, new Uint8Array(await readFile(join(source.dir, name))))
  }
  for (const [fileName, file] of source.folder.files) {
    const header = await writer.addSection(file.header.bytes, { role: 'header', level })
    writer.addRebuiltFile(level, { name: fileName, size: file.source.size, sha256: await fileSha256(join(source.dir, fileName)), sections: [header] })
  }
  const matrices = matrixPrefixes(source, parent)
  const partOf = new Map<string, { prefix: string; part: MatrixPart }>()
  for (const prefix of matrices) for (const part of source.parts(prefix)) partOf.set(`${prefix}.${part}`, { prefix, part })
  const tensors = [...source.folder.tensors.values()]
  const done = new Set<string>()
  for (const [index, { info, fileName }] of tensors.entries()) {
    options.onProgress?.({ level, done: index, total: tensors.length })
    const owner = partOf.get(info.name)
    if (!owner) await addPlainTensor(writer, source, info, fileName, shared)
    else if (!done.has(owner.prefix)) {
      done.add(owner.prefix)
      await addMatrix(writer, source, parent, owner.prefix, options.onPair)
    }
  }
}

/** A level's matrices: its quantized ones, or for a 16-bit level the ones its parent quantized. */
function matrixPrefixes(source: LevelSource, parent: LevelSource | undefined): readonly string[] {
  if (source.kind !== 'half') return source.prefixes
  return (parent?.prefixes ?? []).filter((prefix) => source.folder.tensors.has(`${prefix}.weight`))
}

async function addMatrix(writer: ContainerWriter, source: LevelSource, parent: LevelSource | undefined, prefix: string, onPair: WriteChainOptions['onPair']): Promise<void> {
  const level = source.name
  const value = await source.value(prefix)
  const parentValue = parent ? await parent.value(prefix) : undefined
  if (parent && parentValue) onPair?.({ level, parent: parent.name, prefix, child: value, parentValue })
  const encoded = encodeMatrix(value, parentValue, { level, tensor: prefix })
  const sections: number[] = []
  for (const { role, bytes } of encoded.sections) sections.push(await writer.addSection(bytes, { role, level }))
  const given = parent ? parent.parts(prefix).map((part) => `${prefix}.${part}`) : []
  for (const part of source.parts(prefix)) {
    const name = `${prefix}.${part}`
    const found = source.folder.tensors.get(name)
    if (!found) throw new ChainError('unsupported', 'a quantized matrix lacks this tensor', { file: source.dir, level, tensor: name })
    const original = await source.folder.read(name)
    // The rebuild packs codes the way AutoGPTQ does; refuse a checkpoint whose bytes that would not reproduce.
    if (Buffer.compare(matrixPartBytes(value, part, source.gptq), original) !== 0) {
      throw new ChainError('unsupported', 'packing the decoded codes does not reproduce this tensor byte for byte', { file: source.dir, level, tensor: name })
    }
    writer.addTensor(level, {
      name,
      file: found.fileName,
      dtype: found.info.dtype,
      shape: found.info.shape,
      codec: encoded.codec,
      sections,
      given,
      params: { prefix, part, rows: value.value.rows, cols: value.value.cols, ...(source.gptq && { bits: source.gptq.bits, format: source.gptq.format }) },
      sha256: sha256(original),
    })
  }
}

/** A tensor no level quantizes: coded alone once, in a shared section every level may use. */
async function addPlainTensor(writer: ContainerWriter, source: LevelSource, info: TensorInfo, fileName: string, shared: Map<string, Pick<TensorInput, 'codec' | 'sections'>>): Promise<void> {
  const bytes = await source.folder.read(info.name)
  const digest = sha256(bytes)
  const key = `${info.dtype}:${digest}`
  let stored = shared.get(key)
  if (!stored) {
    const plain = encodePlain(bytes, info.dtype)
    stored = { codec: plain.codec, sections: [await writer.addSection(plain.bytes, { role: 'payload', level: null })] }
    shared.set(key, stored)
  }
  writer.addTensor(source.name, { name: info.name, file: fileName, dtype: info.dtype, shape: info.shape, ...stored, sha256: digest })
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fg from 'fast-glob'
import { createContainerWriter } from '@qchain/format/node'
import type { ContainerWriter, TensorInput } from '@qchain/format'
import type { TensorInfo } from '@qchain/safetensors'
import type { FolderTensor } from '@qchain/safetensors/node'
import type { MatrixPart, MatrixValue } from '../matrix.js'
import { PLAIN_SLICE_BYTES, plainSlices } from '../plain-codecs.js'
import { orderLevels, type ChainLevel } from '../topology.js'
import { sha256, type EncodedJob, type EncodeJob } from './encode-job.js'
import { openLevelSource, type LevelSource } from './level-source.js'
import { matrixValue, type RawMatrix } from './matrix-source.js'
import { OrderedQueue } from './ordered.js'
import { borrowPool, type CodecPool, type PoolOptions } from './pool.js'

export interface ChainLevelInput extends ChainLevel {
  /** The level's checkpoint folder: the 16-bit model, a GPTQ folder or an LLM.int8 folder. */
  dir: string
}

/** `workers` threads code matrices and tensors (default: the cores available); the bytes written are the same for any count. */
export interface WriteChainOptions extends PoolOptions {
  metadata?: Record<string, string>
  onProgress?: (event: { level: string; done: number; total: number }) => void
  /** Sees every matrix coded given a parent, e.g. to measure other codecs on the same pairs; the values are valid during the call only. */
  onPair?: (pair: { level: string; parent: string; prefix: string; child: MatrixValue; parentValue: MatrixValue }) => void
}

type Stored = Pick<TensorInput, 'codec' | 'sections' | 'params'>
/** A tensor stored once for every level: filled in when its first copy is written. */
type Shared = { stored?: Stored }
/** Every write to the container, in the order the code queues it, whichever job finishes first. */
type WriteQueue = OrderedQueue<EncodedJob | undefined>

/**
 * Writes a container holding every level's checkpoint files: the base level's matrices coded
 * alone, every other level's given its parent's, tensors identical across levels (and
 * verbatim files) stored once, each safetensors header kept as is so files rebuild byte for
 * byte. Tensors are coded on `workers` threads, at most two per thread in memory at once
 * (one level's jobs may start while the previous level's finish); the container appears only
 * when complete.
 */
export async function writeChain(path: string, inputs: readonly ChainLevelInput[], options: WriteChainOptions = {}): Promise<{ size: number }> {
  const ordered = orderLevels(inputs)
  const sources = new Map<string, LevelSource>()
  const writer = await createContainerWriter(path, { levels: ordered.map(({ name, parent }) => ({ name, parent })), ...(options.metadata && { metadata: options.metadata }) })
  let borrowed: ReturnType<typeof borrowPool> | undefined
  try {
    borrowed = borrowPool(options)
    const { pool } = borrowed
    for (const level of ordered) sources.set(level.name, await openLevelSource(level.name, level.dir))
    const shared = new Map<string, Shared>()
    // One queue for every level: the layout never depends on timing, and no level waits for the last one's stragglers.
    const queue: WriteQueue = new OrderedQueue(pool.window)
    for (const level of ordered) {
      const source = sources.get(level.name) as LevelSource
      const parent = level.parent === null ? undefined : sources.get(level.parent)
      await addLevel(writer, pool, queue, source, parent, shared, options)
    }
    await queue.drain()
    return await writer.finish()
  } catch (error) {
    await writer.abort()
    throw error
  } finally {
    await borrowed?.release()
    await Promise.all([...sources.values()].map((source) => source.close()))
  }
}

/** Queues a level's writes; the caller drains the queue. */
async function addLevel(writer: ContainerWriter, pool: CodecPool, queue: WriteQueue, source: LevelSource, parent: LevelSource | undefined, shared: Map<string, Shared>, options: WriteChainOptions): Promise<void> {
  const level = source.name
  const weightFiles = new Set(source.folder.files.keys())
  const commit = (write: () => Promise<unknown> | unknown) => queue.push(Promise.resolve(undefined), async () => void (await write()), 0)
  for (const name of (await fg('*', { cwd: source.dir, onlyFiles: true })).sort()) {
    if (!weightFiles.has(name)) {
      const bytes = new Uint8Array(await readFile(join(source.dir, name)))
      await commit(() => writer.addFile(level, name, bytes))
    }
  }
  // Files are hashed on the pool while their tensors are coded; their entries follow, in order, once hashed.
  const files: { name: string; size: number; sha256: Promise<string>; header?: number }[] = []
  for (const [name, file] of source.folder.files) {
    const sha256 = pool.hashFile(join(source.dir, name))
    sha256.catch(() => {}) // awaited below; a failure must not count as unhandled meanwhile
    const entry: (typeof files)[number] = { name, size: file.source.size, sha256 }
    files.push(entry)
    await commit(async () => (entry.header = await writer.addSection(file.header.bytes, { role: 'header', level })))
  }
  const matrices = matrixPrefixes(source, parent)
  const partOf = new Map<string, { prefix: string; part: MatrixPart }>()
  for (const prefix of matrices) for (const part of source.parts(prefix)) partOf.set(`${prefix}.${part}`, { prefix, part })
  const tensors = [...source.folder.tensors.values()]
  const done = new Set<string>()
  for (const [index, { info, fileName }] of tensors.entries()) {
    options.onProgress?.({ level, done: index, total: tensors.length })
    const owner = partOf.get(info.name)
    if (!owner) await queuePlainTensor(writer, pool, queue, source, info, fileName, shared)
    else if (!done.has(owner.prefix)) {
      done.add(owner.prefix)
      await queueMatrix(writer, pool, queue, source, parent, owner.prefix, options.onPair)
    }
  }
  await commit(async () => {
    for (const { name, size, header, sha256 } of files) writer.addRebuiltFile(level, { name, size, sha256: await sha256, sections: [header as number] })
  })
}

/** A level's matrices: its quantized ones, or for a 16-bit level the ones its parent quantized. */
function matrixPrefixes(source: LevelSource, parent: LevelSource | undefined): readonly string[] {
  if (source.kind !== 'half') return source.prefixes
  return (parent?.prefixes ?? []).filter((prefix) => source.folder.tensors.has(`${prefix}.weight`))
}

async function queueMatrix(writer: ContainerWriter, pool: CodecPool, queue: WriteQueue, source: LevelSource, parent: LevelSource | undefined, prefix: string, onPair: WriteChainOptions['onPair']): Promise<void> {
  const level = source.name
  // The job's thread reads the stored tensors where their files allow (this one only when onPair needs the values);
  // unpacking, packing checks, hashing and coding all happen in the job.
  const stored = async (from: LevelSource) => (onPair ? undefined : from.locate(prefix)) ?? from.read(prefix)
  const matrix = { ...(await stored(source)), level, dir: source.dir }
  const parentMatrix = parent && { ...(await stored(parent)), level: parent.name, dir: parent.dir }
  if (parent && parentMatrix && onPair) {
    // Read above, and used before the bytes move to a worker.
    const child = matrixValue(matrix as RawMatrix, { file: source.dir, level, tensor: prefix })
    onPair({ level, parent: parent.name, prefix, child, parentValue: matrixValue(parentMatrix as RawMatrix, { file: parent.dir, level: parent.name, tensor: prefix }) })
  }
  const parts = matrix.parts.map(({ part }) => ({ part, name: `${prefix}.${part}`, found: source.folder.tensors.get(`${prefix}.${part}`) as FolderTensor }))
  const given = parent ? parent.parts(prefix).map((part) => `${prefix}.${part}`) : []
  const job: EncodeJob = { kind: 'matrix', prefix, matrix, ...(parentMatrix && { parent: parentMatrix }) }
  const cost = pool.cost(job)
  await queue.push(pool.encode(job), async (encoded) => {
    const { codec, sections: payloads, sha256: digests, rows, cols } = encoded as EncodedJob
    const sections: number[] = []
    for (const { role, bytes } of payloads) sections.push(await writer.addSection(bytes, { role, level }))
    for (const [index, { part, name, found }] of parts.entries()) {
      writer.addTensor(level, {
        name,
        file: found.fileName,
        dtype: found.info.dtype,
        shape: found.info.shape,
        codec,
        sections,
        given,
        params: { prefix, part, rows, cols, ...(source.gptq && { bits: source.gptq.bits, format: source.gptq.format }) },
        sha256: digests[index] as string,
      })
    }
  }, cost)
}

/**
 * A tensor no level quantizes: coded alone once, in shared sections every level may use, one
 * per slice so a big embedding is coded a slice at a time (and on several workers).
 */
async function queuePlainTensor(writer: ContainerWriter, pool: CodecPool, queue: WriteQueue, source: LevelSource, info: TensorInfo, fileName: string, shared: Map<string, Shared>): Promise<void> {
  const bytes = await source.folder.read(info.name)
  const digest = sha256(bytes)
  const key = `${info.dtype}:${digest}`
  const addTensor = (stored: Stored) => writer.addTensor(source.name, { name: info.name, file: fileName, dtype: info.dtype, shape: info.shape, ...stored, sha256: digest })
  const known = shared.get(key)
  if (known) {
    // Its first copy is queued ahead of this one, so its sections exist by the time this commits; it costs no memory.
    await queue.push(Promise.resolve(undefined), () => addTensor(known.stored as Stored), 0)
    return
  }
  const entry: Shared = {}
  shared.set(key, entry)
  const slices = plainSlices(bytes.length)
  const sections: number[] = []
  for (const [index, [start, end]] of slices.entries()) {
    // Each slice owns its bytes: a worker takes them, and the whole tensor can go once the last is queued.
    const slice = slices.length === 1 ? bytes : bytes.slice(start, end)
    await queue.push(pool.encode({ kind: 'plain', bytes: slice, dtype: info.dtype }), async (encoded) => {
      const { codec, sections: payloads } = encoded as EncodedJob
      sections.push(await writer.addSection((payloads[0] as { bytes: Uint8Array }).bytes, { role: 'payload', level: null }))
      if (index < slices.length - 1) return
      entry.stored = { codec, sections, params: { slice: PLAIN_SLICE_BYTES } }
      addTensor(entry.stored)
    })
  }
}

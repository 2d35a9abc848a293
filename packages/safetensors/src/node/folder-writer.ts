import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { SafetensorsError } from '../errors.js'
import { byteLength, type SafetensorsHeader } from '../header.js'
import { encodeHeader, type TensorSpec } from '../header-encode.js'
import { INDEX_FILE_NAME, parseShardedIndex } from '../sharded-index.js'
import { syncFolder, writeAll, writeFileAtomically } from './atomic-write.js'

export interface FolderWriterOptions {
  /** Start a new shard when the next tensor would take a shard past this many bytes of data. */
  maxShardBytes?: number
  metadata?: Record<string, string>
}

export interface SafetensorsFolderWriter {
  /** Writes one tensor's bytes at its place; tensors may come in any order, each exactly once. */
  write(name: string, bytes: Uint8Array): Promise<void>
  /** Checks that every tensor was written, fsyncs, and moves the weights into the folder. */
  finish(): Promise<{ files: string[] }>
  /** Removes everything written so far. */
  abort(): Promise<void>
}

interface Shard {
  fileName: string
  header: SafetensorsHeader
  handle: FileHandle
  temporary: string
}

/**
 * Writes model weights whose shapes are known up front but whose data arrives in any order
 * (a quantizer finishing layer by layer): headers first, then each tensor written in place,
 * so memory holds one tensor. Specs are split into shards, in the order given, past
 * `maxShardBytes`; shards get Hugging Face names and a model.safetensors.index.json. Files
 * appear under their final names only in finish(), in an order that keeps the folder from
 * opening as a model until the last step (see finish). For a folder that must appear whole,
 * write into a staged folder (stageFolder in @qchain/quantize) and rename it.
 */
export async function createFolderWriter(dir: string, specs: readonly TensorSpec[], options: FolderWriterOptions = {}): Promise<SafetensorsFolderWriter> {
  await mkdir(dir, { recursive: true })
  const groups = splitIntoShards(specs, options.maxShardBytes ?? Number.POSITIVE_INFINITY)
  const shards: Shard[] = []
  const places = new Map<string, { shard: Shard; offset: number; size: number }>()
  const written = new Set<string>()
  const abort = async () => {
    await Promise.all(shards.map(async (shard) => {
      await shard.handle.close().catch(() => undefined)
      await rm(shard.temporary, { force: true })
    }))
  }
  try {
    for (const [index, group] of groups.entries()) {
      const fileName = groups.length === 1 ? 'model.safetensors' : shardName(index, groups.length)
      const header = encodeHeader(group, options.metadata)
      const temporary = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`)
      const shard: Shard = { fileName, header, temporary, handle: await open(temporary, 'wx') }
      shards.push(shard)
      await writeAll(shard.handle, header.bytes)
      for (const info of header.tensors) places.set(info.name, { shard, offset: header.dataStart + info.begin, size: info.end - info.begin })
    }
  } catch (error) {
    await abort()
    throw error
  }
  return {
    async write(name, bytes) {
      const place = places.get(name)
      if (!place) throw new SafetensorsError('unknown-tensor', 'not one of the tensors this writer was set up for', { file: dir, tensor: name })
      if (written.has(name)) throw new SafetensorsError('invalid-tensor', 'tensor written twice', { file: dir, tensor: name })
      if (bytes.length !== place.size) {
        throw new SafetensorsError('size-mismatch', `got ${bytes.length} bytes, the header says ${place.size}`, { file: join(dir, place.shard.fileName), tensor: name })
      }
      let done = 0
      while (done < bytes.length) {
        const { bytesWritten } = await place.shard.handle.write(bytes, done, bytes.length - done, place.offset + done)
        done += bytesWritten
      }
      written.add(name)
    },
    async finish() {
      const missing = [...places.keys()].filter((name) => !written.has(name))
      if (missing.length) {
        await abort()
        throw new SafetensorsError('invalid-tensor', `${missing.length} tensor(s) never written, first ${missing[0]}`, { file: dir, tensor: missing[0] as string })
      }
      for (const shard of shards) {
        await shard.handle.sync()
        await shard.handle.close()
      }
      // Renames of several files cannot be one step, so every state in between must be refused
      // by readers: the old index goes first (old shards without it do not open), the new index
      // comes last (new shards without it do not open), and old shards are removed after.
      const previous = await previousShards(dir)
      await rm(join(dir, INDEX_FILE_NAME), { force: true })
      for (const shard of shards) await rename(shard.temporary, join(dir, shard.fileName))
      if (shards.length > 1) await writeIndex(dir, shards, specs)
      const files = shards.map((shard) => shard.fileName)
      for (const name of previous) if (!files.includes(name)) await rm(join(dir, name), { force: true })
      await syncFolder(dir)
      return { files }
    },
    abort,
  }
}

/**
 * The weights files of a model already in the folder: its index's shards, and every file
 * named as this writer names them (left by an earlier run that was interrupted in finish).
 */
async function previousShards(dir: string): Promise<string[]> {
  const names = new Set((await readdir(dir)).filter((name) => /^model(-\d{5}-of-\d{5})?\.safetensors$/.test(name)))
  const indexPath = join(dir, INDEX_FILE_NAME)
  const text = await readFile(indexPath, 'utf8').catch(() => undefined)
  try {
    if (text !== undefined) for (const shard of parseShardedIndex(text, indexPath).shards) names.add(shard)
  } catch {
    // an unreadable index is replaced anyway
  }
  return [...names]
}

function splitIntoShards(specs: readonly TensorSpec[], maxShardBytes: number): TensorSpec[][] {
  const groups: TensorSpec[][] = [[]]
  let size = 0
  for (const spec of specs) {
    const bytes = byteLength(spec.shape, spec.dtype)
    if (bytes === undefined) throw new SafetensorsError('invalid-tensor', `shape [${spec.shape.join(', ')}] is too large`, { tensor: spec.name })
    const current = groups[groups.length - 1] as TensorSpec[]
    if (current.length > 0 && size + bytes > maxShardBytes) {
      groups.push([spec])
      size = bytes
    } else {
      current.push(spec)
      size += bytes
    }
  }
  return groups
}

function shardName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0')
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`
}

/** The index Hugging Face writes: total tensor bytes and a name-sorted weight map. */
async function writeIndex(dir: string, shards: readonly Shard[], specs: readonly TensorSpec[]): Promise<void> {
  const weightMap: Record<string, string> = {}
  const owner = new Map(shards.flatMap((shard) => shard.header.tensors.map((info) => [info.name, shard.fileName] as const)))
  for (const name of [...owner.keys()].sort()) weightMap[name] = owner.get(name) as string
  const totalSize = specs.reduce((sum, spec) => sum + (byteLength(spec.shape, spec.dtype) as number), 0)
  const text = `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2)}\n`
  await writeFileAtomically(join(dir, INDEX_FILE_NAME), (handle) => writeAll(handle, new TextEncoder().encode(text)))
}

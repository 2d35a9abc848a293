import { readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import fg from 'fast-glob'
import { SafetensorsError } from '../errors.js'
import type { TensorInfo } from '../header.js'
import { openSafetensors, type SafetensorsFile } from '../reader.js'
import { INDEX_FILE_NAME, parseShardedIndex, type ShardedIndex } from '../sharded-index.js'
import { openFileSource, type FileSource } from './file-source.js'

export interface FolderTensor {
  info: TensorInfo
  /** The file (shard) that holds it, by file name. */
  fileName: string
}

export interface SafetensorsFolder {
  readonly dir: string
  /** Open files in shard order (one entry for an unsharded model). */
  readonly files: ReadonlyMap<string, SafetensorsFile>
  /** The sharded index, when the model has one, with its exact bytes. */
  readonly index: { bytes: Uint8Array; parsed: ShardedIndex } | undefined
  /** Every tensor of the model, in shard order then header order. */
  readonly tensors: ReadonlyMap<string, FolderTensor>
  read(name: string): Promise<Uint8Array>
  close(): Promise<void>
}

/**
 * Opens the safetensors weights of a model: a single .safetensors file, a folder holding
 * one, or a sharded folder described by model.safetensors.index.json (whose weight map must
 * agree exactly with the shards' headers).
 */
export async function openSafetensorsFolder(path: string): Promise<SafetensorsFolder> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new SafetensorsError('not-found', 'no such file or folder', { file: path })
  if (info.isFile()) return openFiles(join(path, '..'), [basename(path)], undefined)
  const indexPath = join(path, INDEX_FILE_NAME)
  const indexBytes = await readFile(indexPath).catch(() => undefined)
  if (indexBytes) {
    const parsed = parseShardedIndex(new TextDecoder().decode(indexBytes), indexPath)
    return openFiles(path, parsed.shards, { bytes: new Uint8Array(indexBytes), parsed })
  }
  const found = (await fg('*.safetensors', { cwd: path, onlyFiles: true })).sort()
  if (found.length !== 1) {
    const detail = found.length === 0 ? 'no .safetensors file found' : `${found.length} .safetensors files but no ${INDEX_FILE_NAME} to say how they fit together`
    throw new SafetensorsError('invalid-index', detail, { file: path })
  }
  // One shard of several (an interrupted download or write) must not pass for a whole model.
  const shard = /-\d+-of-(\d+)\.safetensors$/.exec(found[0] as string)
  if (shard && Number(shard[1]) > 1) {
    throw new SafetensorsError('invalid-index', `${found[0]} is one of ${Number(shard[1])} shards, and there is no ${INDEX_FILE_NAME}`, { file: path })
  }
  return openFiles(path, found, undefined)
}

async function openFiles(dir: string, fileNames: readonly string[], index: SafetensorsFolder['index']): Promise<SafetensorsFolder> {
  const sources: FileSource[] = []
  const files = new Map<string, SafetensorsFile>()
  const tensors = new Map<string, FolderTensor>()
  const close = async () => {
    await Promise.all(sources.map((source) => source.close()))
  }
  try {
    for (const fileName of fileNames) {
      const source = await openFileSource(join(dir, fileName))
      sources.push(source)
      const file = await openSafetensors(source)
      files.set(fileName, file)
      for (const tensor of file.header.tensors) {
        if (tensors.has(tensor.name)) {
          throw new SafetensorsError('invalid-index', `tensor also stored in ${tensors.get(tensor.name)?.fileName}`, { file: source.name, tensor: tensor.name })
        }
        tensors.set(tensor.name, { info: tensor, fileName })
      }
    }
    if (index) checkWeightMap(index.parsed.weightMap, tensors, join(dir, INDEX_FILE_NAME))
  } catch (error) {
    await close()
    throw error
  }
  return {
    dir,
    files,
    index,
    tensors,
    read(name) {
      const tensor = tensors.get(name)
      if (!tensor) return Promise.reject(new SafetensorsError('unknown-tensor', 'no such tensor in this model', { file: dir, tensor: name }))
      return (files.get(tensor.fileName) as SafetensorsFile).read(name)
    },
    close,
  }
}

function checkWeightMap(weightMap: ReadonlyMap<string, string>, tensors: ReadonlyMap<string, FolderTensor>, file: string): void {
  for (const [name, shard] of weightMap) {
    const found = tensors.get(name)
    if (!found) throw new SafetensorsError('invalid-index', `the index puts this tensor in ${shard}, which does not hold it`, { file, tensor: name })
    if (found.fileName !== shard) throw new SafetensorsError('invalid-index', `the index says ${shard} but ${found.fileName} holds it`, { file, tensor: name })
  }
  for (const name of tensors.keys()) {
    if (!weightMap.has(name)) throw new SafetensorsError('invalid-index', 'tensor stored in a shard but missing from the weight map', { file, tensor: name })
  }
}

import { z } from 'zod'
import { SafetensorsError } from './errors.js'

export const INDEX_FILE_NAME = 'model.safetensors.index.json'

export interface ShardedIndex {
  metadata: Record<string, unknown>
  /** Tensor name to shard file name, in the order the index lists them. */
  weightMap: Map<string, string>
  /** Shard file names in first-seen order. */
  shards: string[]
}

const indexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).optional(),
  weight_map: z.record(z.string(), z.string()),
})

/** A shard name must be a plain file name: no folders, so an index cannot point outside its model. */
const SHARD_NAME = /^[^/\\]+\.safetensors$/

export function parseShardedIndex(text: string, file: string): ShardedIndex {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new SafetensorsError('invalid-index', `not valid JSON: ${(error as Error).message}`, { file })
  }
  const parsed = indexSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new SafetensorsError('invalid-index', `${issue?.message ?? 'invalid'}`, { file, field: issue?.path.join('.') ?? '' })
  }
  const weightMap = new Map(Object.entries(parsed.data.weight_map))
  const shards = [...new Set(weightMap.values())]
  for (const shard of shards) {
    if (!SHARD_NAME.test(shard) || shard === '.' || shard === '..') {
      throw new SafetensorsError('invalid-index', `shard name ${JSON.stringify(shard)} is not a plain .safetensors file name`, { file, field: 'weight_map' })
    }
  }
  return { metadata: parsed.data.metadata ?? {}, weightMap, shards }
}

import { tf } from '@qchain/tensor/tfjs'

/**
 * Keys and values ([batch, kvHeads, positions, headDim], rotary applied) of the positions one
 * block has already run, so generation feeds only the new token through the model.
 */
export interface BlockKvCache {
  keys: tf.Tensor4D | undefined
  values: tf.Tensor4D | undefined
}

export function createKvCaches(numLayers: number): BlockKvCache[] {
  return Array.from({ length: numLayers }, () => ({ keys: undefined, values: undefined }))
}

export function cachedPositions(cache: BlockKvCache | undefined): number {
  return cache?.keys?.shape[2] ?? 0
}

/** Appends new keys and values to the cache and returns all of them; the cache owns the results. */
export function appendToCache(cache: BlockKvCache, keys: tf.Tensor4D, values: tf.Tensor4D): { keys: tf.Tensor4D; values: tf.Tensor4D } {
  const allKeys = cache.keys ? tf.concat([cache.keys, keys], 2) : keys
  const allValues = cache.values ? tf.concat([cache.values, values], 2) : values
  disposeKvCaches([cache])
  cache.keys = tf.keep(allKeys)
  cache.values = tf.keep(allValues)
  return { keys: allKeys, values: allValues }
}

export function disposeKvCaches(caches: readonly BlockKvCache[]): void {
  for (const cache of caches) {
    cache.keys?.dispose()
    cache.values?.dispose()
    cache.keys = cache.values = undefined
  }
}

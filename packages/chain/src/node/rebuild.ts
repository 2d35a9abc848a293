import { jobKey, jobOutputs } from '../decode-job.js'
import type { ChainReader, ChunkSink } from '../read-chain.js'
import { OrderedQueue } from './ordered.js'
import type { CodecPool } from './pool.js'

/** Rebuilds files like ChainReader.rebuildFile (same chunks, same order), decoding on a pool's threads. */
export interface Rebuilder {
  rebuildFile(level: string, name: string, sink: ChunkSink): Promise<void>
}

export function createRebuilder(reader: ChainReader, pool: CodecPool): Rebuilder {
  if (pool.workers === 1) return { rebuildFile: (level, name, sink) => reader.rebuildFile(level, name, sink) }
  return {
    async rebuildFile(level, name, sink) {
      const layout = await reader.fileLayout(level, name)
      if (layout.kind === 'verbatim') return sink(layout.bytes)
      await sink(layout.header)
      const inFile = new Set(layout.tensors)
      // each job's sections come from reads of its own, so with fresh slices they are the job's to move
      const owned = reader.container.source.freshSlices === true
      // One job per matrix, whose parts may lie apart in the file (safetensors orders by dtype first):
      // kept until its last part here is written, each part dropped once written.
      const jobs = new Map<string, { tensors: Promise<Map<string, Uint8Array>>; left: number }>()
      const queue = new OrderedQueue<Map<string, Uint8Array>>(pool.window)
      for (const tensor of layout.tensors) {
        const key = jobKey(reader.container.tensor(level, tensor))
        let pending = jobs.get(key)
        const cost = pending ? 0 : 1
        if (!pending) {
          const { job } = await reader.planJob(level, tensor)
          const outputs = job.kind === 'plain' ? [job.output] : job.outputs
          const tensors = pool.decode(job, owned).then((bytes) => jobOutputs(job, bytes))
          pending = { tensors, left: outputs.filter((output) => inFile.has(output.tensor)).length }
          jobs.set(key, pending)
        }
        const job = pending
        await queue.push(
          job.tensors,
          async (tensors) => {
            if (--job.left === 0) jobs.delete(key)
            const bytes = tensors.get(tensor) as Uint8Array
            tensors.delete(tensor)
            await sink(bytes)
          },
          cost,
        )
      }
      await queue.drain()
    },
  }
}

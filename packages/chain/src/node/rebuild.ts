import { jobKey, jobOutputs, outputsOf, type DecodeJob, type JobOutput } from '../decode-job.js'
import type { ChainReader, ChunkSink } from '../read-chain.js'
import { nameDamage } from './file-job.js'
import { OrderedQueue } from './ordered.js'
import type { CodecPool } from './pool.js'

/** Rebuilds files like ChainReader.rebuildFile (same chunks, same order), decoding on a pool's threads. */
export interface Rebuilder {
  rebuildFile(level: string, name: string, sink: ChunkSink): Promise<void>
}

/** A planned job: the tensors it gives back, and its decode under way. */
type Started = { job: DecodeJob<unknown>; outputs: JobOutput[]; tensors: Promise<Map<string, Uint8Array>> }

export function createRebuilder(reader: ChainReader, pool: CodecPool): Rebuilder {
  if (pool.workers === 1) return { rebuildFile: (level, name, sink) => reader.rebuildFile(level, name, sink) }
  const { container } = reader
  const { fd, name: file } = container.source
  // From a local file the workers read and check their own sections; from anything else this thread does.
  const start = async (level: string, tensor: string): Promise<Started> => {
    if (fd === undefined) {
      const { job } = await reader.planJob(level, tensor)
      return { job, outputs: outputsOf(job), tensors: pool.decode(job).then((bytes) => jobOutputs(job, bytes)) }
    }
    const { job } = await reader.planSpans(level, tensor)
    const tensors = pool.decodeFile(job, { fd, file }).then(
      (bytes) => jobOutputs(job, bytes),
      (error: unknown) => {
        throw nameDamage(container, job, error)
      },
    )
    return { job, outputs: outputsOf(job), tensors }
  }
  return {
    async rebuildFile(level, name, sink) {
      const layout = await reader.fileLayout(level, name)
      if (layout.kind === 'verbatim') return sink(layout.bytes)
      await sink(layout.header)
      const inFile = new Set(layout.tensors)
      // One job per matrix, whose parts may lie apart in the file (safetensors orders by dtype first):
      // kept until its last part here is written, each part dropped once written.
      const jobs = new Map<string, { tensors: Promise<Map<string, Uint8Array>>; left: number }>()
      const queue = new OrderedQueue<Map<string, Uint8Array>>(pool.window)
      for (const tensor of layout.tensors) {
        const key = jobKey(container.tensor(level, tensor))
        let pending = jobs.get(key)
        let cost = 0
        if (!pending) {
          const { outputs, tensors, job } = await start(level, tensor)
          pending = { tensors, left: outputs.filter((output) => inFile.has(output.tensor)).length }
          jobs.set(key, pending)
          cost = pool.cost(job)
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

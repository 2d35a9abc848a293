import { jobKey, jobOutputs, outputsOf, type DecodeJob, type JobOutput } from '../decode-job.js'
import type { ChainReader, ChunkSink } from '../read-chain.js'
import { cutIntoBands, joinBands } from '../row-bands.js'
import { nameDamage } from './file-job.js'
import { OrderedQueue } from './ordered.js'
import type { CodecPool } from './pool.js'

/** Rebuilds files like ChainReader.rebuildFile (same chunks, same order), decoding on a pool's threads. */
export interface Rebuilder {
  rebuildFile(level: string, name: string, sink: ChunkSink): Promise<void>
}

/** A decode under way and the share of the pool's window it takes. */
type Piece = { tensors: Promise<Map<string, Uint8Array>>; cost: number }

/**
 * A planned job: the tensors it gives back, and its decode under way: whole, or as bands of a
 * 16-bit matrix's rows in order (each a run of its one tensor).
 */
type Started = { outputs: JobOutput[]; pieces: Piece[] }

export function createRebuilder(reader: ChainReader, pool: CodecPool): Rebuilder {
  if (pool.workers === 1) return { rebuildFile: (level, name, sink) => reader.rebuildFile(level, name, sink) }
  const { container } = reader
  const { fd, name: file } = container.source
  const piece = <S>(job: DecodeJob<S>, decoded: Promise<Uint8Array[]>): Piece => {
    const tensors = decoded.then((bytes) => jobOutputs(job, bytes))
    // a band failing while an earlier one waits for room in the queue must not count as unhandled
    tensors.catch(() => {})
    return { tensors, cost: pool.cost(job) }
  }
  // From a local file the workers read and check their own sections, and share large matrices
  // by bands of rows; from anything else this thread reads, and each job goes whole.
  const start = async (level: string, tensor: string): Promise<Started> => {
    if (fd === undefined) {
      const { job } = await reader.planJob(level, tensor)
      return { outputs: outputsOf(job), pieces: [piece(job, pool.decode(job))] }
    }
    const { job } = await reader.planSpans(level, tensor)
    const outputs = outputsOf(job)
    const pieces = cutIntoBands(job, pool.workers).map((band) =>
      piece(
        band,
        pool.decodeFile(band, { fd, file }).catch((error: unknown) => {
          throw nameDamage(container, band, error)
        }),
      ),
    )
    if (pieces.length === 1 || outputs.length === 1) return { outputs, pieces }
    // a GPTQ matrix's parts each take a run from every band: put together once all are back
    const tensors = Promise.all(pieces.map((band) => band.tensors)).then((bands) => joinBands(outputs, bands))
    tensors.catch(() => {})
    return { outputs, pieces: [{ tensors, cost: pieces.reduce((sum, band) => sum + band.cost, 0) }] }
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
          const { outputs, pieces } = await start(level, tensor)
          if (pieces.length > 1) {
            // bands of one tensor's rows, in order: its bytes chunk by chunk
            for (const band of pieces) await queue.push(band.tensors, (tensors) => sink(tensors.get(tensor) as Uint8Array), band.cost)
            continue
          }
          const [whole] = pieces as [Piece]
          pending = { tensors: whole.tensors, left: outputs.filter((output) => inFile.has(output.tensor)).length }
          jobs.set(key, pending)
          cost = whole.cost
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

import { availableParallelism } from 'node:os'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { SectionSpan } from '@qchain/format'
import { Piscina } from 'piscina'
import { outputsOf, runDecodeJob, type DecodeJob } from '../decode-job.js'
import { ChainError } from '../errors.js'
import { runEncodeJob, type EncodedJob, type EncodeJob } from './encode-job.js'
import { fileSha256 } from './file-hash.js'
import { readJobSections, type ContainerFileRef } from './file-job.js'
import { transferList } from './transfer.js'
import { receiveError, type SentError } from './worker-errors.js'

/** One job for a worker. */
export type JobTask = { op: 'decode'; job: DecodeJob } | { op: 'decode-file'; job: DecodeJob<SectionSpan>; from: ContainerFileRef } | { op: 'encode'; job: EncodeJob } | { op: 'hash-file'; path: string }
/** What a worker is sent: one job, or several small ones answered together. */
export type Task = JobTask | { op: 'batch'; tasks: JobTask[] }
type JobOutput = Uint8Array[] | EncodedJob | string
export type JobReply = { ok: JobOutput; failed?: undefined } | { ok?: undefined; failed: SentError }
export type TaskReply = JobReply | { ok: JobReply[]; failed?: undefined }

/** Runs codec jobs on worker threads, or inline on the calling thread when there is one worker. */
export interface CodecPool {
  readonly workers: number
  /** Jobs worth keeping in flight (full-size ones; see cost): enough to keep every worker busy, few enough to bound memory. */
  readonly window: number
  /** How much of `window` a job takes: 1, or less for a small job that travels in a batch. */
  cost(job: EncodeJob | DecodeJob<unknown>): number
  /** The job's buffers are moved to the worker: the caller must not use them afterwards. */
  encode(job: EncodeJob): Promise<EncodedJob>
  /** The job's section bytes are copied before they move: they may be views of a shared buffer. */
  decode(job: DecodeJob): Promise<Uint8Array[]>
  /**
   * Decodes a job whose sections the worker reads from the open container file itself, so this
   * thread neither reads nor checks them. The file must stay open until the promise settles.
   */
  decodeFile(job: DecodeJob<SectionSpan>, from: ContainerFileRef): Promise<Uint8Array[]>
  /** SHA-256 of a file, read and hashed on a pool thread (the caller's own, inline). */
  hashFile(path: string): Promise<string>
  close(): Promise<void>
}

/** `workers` threads (default: the cores available); 1 runs every job inline, without a pool. */
export function createCodecPool(workers: number = availableParallelism()): CodecPool {
  if (!Number.isSafeInteger(workers) || workers < 1) throw new ChainError('bad-option', `workers must be a whole number >= 1, not ${workers}`, { field: 'workers' })
  if (workers === 1) {
    // Each job waits for the event loop's next turn, so the caller's next read or write is under way while it runs.
    return {
      workers,
      window: 1,
      cost: () => 1,
      encode: async (job) => (await nextTurn(), runEncodeJob(job)),
      decode: async (job) => (await nextTurn(), runDecodeJob(job)),
      decodeFile: async (job, from) => (await nextTurn(), runDecodeJob(readJobSections(job, from))),
      hashFile: async (path) => (await nextTurn(), fileSha256(path)),
      close: async () => {},
    }
  }
  // minThreads = maxThreads: every worker starts now (loading the codecs while the caller reads) and stays.
  const piscina = new Piscina<Task, TaskReply>({ ...workerModule(), minThreads: workers, maxThreads: workers })
  const post = (task: Task) => piscina.run(task, { transferList: transferList(task) })
  const settle = (reply: JobReply): JobOutput => {
    if (reply.failed) throw receiveError(reply.failed)
    return reply.ok
  }
  const run = async (task: JobTask): Promise<JobOutput> => settle((await post(task)) as JobReply)
  // Small jobs wait for the event loop's next turn (or BATCH_BYTES of company) and go together.
  let batch: { task: JobTask; resolve: (output: JobOutput) => void; reject: (error: unknown) => void }[] = []
  let batchBytes = 0
  const flush = () => {
    const sent = batch
    batch = []
    batchBytes = 0
    if (sent.length === 0) return
    post({ op: 'batch', tasks: sent.map(({ task }) => task) }).then(
      // each job settles on its own reply: one failing job does not fail its companions
      (reply) => sent.forEach(({ resolve, reject }, i) => {
        const one = (reply.ok as JobReply[])[i] as JobReply
        if (one.failed) reject(receiveError(one.failed))
        else resolve(one.ok)
      }),
      (error: unknown) => sent.forEach(({ reject }) => reject(error)),
    )
  }
  const runSmall = (task: JobTask, bytes: number): Promise<JobOutput> =>
    new Promise((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush)
      batch.push({ task, resolve, reject })
      batchBytes += bytes
      if (batchBytes >= BATCH_BYTES) flush()
    })
  const runSized = (task: JobTask, bytes: number) => (bytes < BATCH_BYTES ? runSmall(task, bytes) : run(task))
  return {
    workers,
    window: 2 * workers,
    cost: (job) => Math.min(1, bytesOf(job) / BATCH_BYTES),
    encode: async (job) => {
      const bytes = encodeJobBytes(job)
      return job.kind === 'plain' && bytes < INLINE_BYTES ? runEncodeJob(job) : ((await runSized({ op: 'encode', job }, bytes)) as EncodedJob)
    },
    decode: async (job) => (isSmall(job) ? runDecodeJob(job) : ((await runSized({ op: 'decode', job: ownSections(job) }, jobBytes(job))) as Uint8Array[])),
    decodeFile: async (job, from) => (isSmall(job) ? runDecodeJob(readJobSections(job, from)) : ((await runSized({ op: 'decode-file', job, from }, jobBytes(job))) as Uint8Array[])),
    hashFile: async (path) => (await run({ op: 'hash-file', path })) as string,
    close: () => piscina.destroy(),
  }
}

/** Plain tensors smaller than this (biases, norms) are coded inline: a worker round trip costs more. */
const INLINE_BYTES = 64 * 1024

const isSmall = (job: DecodeJob<unknown>) => job.kind === 'plain' && job.output.byteLength < INLINE_BYTES

/** Jobs of fewer bytes than this go to a worker several at a time: one round trip for all. */
const BATCH_BYTES = 256 * 1024

/** The bytes a decode job gives back. */
const jobBytes = (job: DecodeJob<unknown>) => outputsOf(job).reduce((sum, output) => sum + output.byteLength, 0)

/** The stored bytes an encode job codes: its tensor, or its matrix's parts and its parent's (bytes or file ranges: both have a length). */
function encodeJobBytes(job: EncodeJob): number {
  if (job.kind === 'plain') return job.bytes.length
  return [...job.matrix.parts, ...(job.parent?.parts ?? [])].reduce((sum, part) => sum + part.bytes.length, 0)
}

const isEncodeJob = (job: EncodeJob | DecodeJob<unknown>): job is EncodeJob => (job.kind === 'plain' ? 'bytes' in job : 'matrix' in job)
const bytesOf = (job: EncodeJob | DecodeJob<unknown>) => (isEncodeJob(job) ? encodeJobBytes(job) : jobBytes(job))

/** How callers choose where codecs run: a thread count, or a pool they started (and close) themselves. */
export interface PoolOptions {
  /** Threads (default: the cores available); 1 runs inline. Ignored when `pool` is given. */
  workers?: number
  /** A running pool to use, e.g. one shared by an encode and the verify after it; left open. */
  pool?: CodecPool
}

/** The caller's pool, or a new one that `release` closes. */
export function borrowPool(options: PoolOptions): { pool: CodecPool; release(): Promise<void> } {
  if (options.pool) return { pool: options.pool, release: async () => {} }
  const pool = createCodecPool(options.workers)
  return { pool, release: () => pool.close() }
}

/** The worker beside this module; from TypeScript sources (the tests) a shim loads it through tsx. */
function workerModule(): { filename: string } {
  const fromSource = import.meta.url.endsWith('.ts')
  return { filename: new URL(fromSource ? './codec-worker.dev.mjs' : './codec-worker.js', import.meta.url).href }
}

/** A job whose sections each own their buffer, so moving them leaves the container's bytes alone. */
function ownSections(job: DecodeJob): DecodeJob {
  if (job.kind === 'plain') return { ...job, sections: job.sections.map((section) => section.slice()) }
  return { ...job, steps: job.steps.map((step) => ({ ...step, sections: step.sections.map((section) => section.slice()) })) }
}

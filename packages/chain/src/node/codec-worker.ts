import { SectionScratch } from '@qchain/format/section-file'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import { LevelBuffers, runDecodeJob } from '../decode-job.js'
import { runEncodeJob } from './encode-job.js'
import { fileSha256 } from './file-hash.js'
import { readJobSections } from './file-job.js'
import type { JobReply, JobTask, Task } from './pool.js'
import { transferList } from './transfer.js'
import { sendError } from './worker-errors.js'

/** A pool worker: runs one job, or a batch of small ones, and moves the output buffers back to the caller without copying. */
export default function runTask(task: Task): object {
  const reply = task.op === 'batch' ? { ok: task.tasks.map(runJob) } : runJob(task)
  // move() marks the object so piscina sends `reply` with its buffers in the transfer list.
  return move({ [transferableSymbol]: transferList(reply.ok), [valueSymbol]: reply } as unknown as ArrayBuffer)
}

/**
 * What this thread reads and decodes goes through buffers it keeps, not new ones per job left
 * to the garbage collector: the sections or stored tensors it reads, and the levels below the
 * one asked for (rebuilt tensors and coded sections still leave in buffers of their own).
 * Larger jobs get buffers of their own: keeping them would hold that much memory per thread
 * for good.
 */
const KEEP_BYTES = 64 * 2 ** 20
const sections = new SectionScratch(KEEP_BYTES)
const levels = new LevelBuffers(KEEP_BYTES)

/** Outputs that are views of a kept buffer (no codec returns one today) must not leave with it. */
const owned = (bytes: Uint8Array) => (sections.holds(bytes) || levels.holds(bytes) ? bytes.slice() : bytes)

/** One job's result, or its error in a form that survives the trip back. */
function runJob(task: JobTask): JobReply {
  try {
    if (task.op === 'hash-file') return { ok: fileSha256(task.path) }
    if (task.op === 'encode') {
      const encoded = runEncodeJob(task.job, sections.space)
      return { ok: { ...encoded, sections: encoded.sections.map(({ role, bytes }) => ({ role, bytes: owned(bytes) })) } }
    }
    if (task.op === 'decode') return { ok: runDecodeJob(task.job, levels).map(owned) }
    return { ok: runDecodeJob(readJobSections(task.job, task.from, sections.space), levels).map(owned) }
  } catch (error) {
    return { failed: sendError(error) }
  }
}

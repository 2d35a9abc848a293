import { SectionScratch } from '@qchain/format/section-file'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import { runDecodeJob } from '../decode-job.js'
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
 * Sections this thread reads go to one kept buffer, not a new one per job left to the garbage
 * collector (the rebuilt tensors still leave in buffers of their own). Jobs of more bytes get
 * a buffer of their own: keeping it would hold that much memory per thread for good.
 */
const scratch = new SectionScratch(64 * 2 ** 20)

/** One job's result, or its error in a form that survives the trip back. */
function runJob(task: JobTask): JobReply {
  try {
    if (task.op === 'hash-file') return { ok: fileSha256(task.path) }
    if (task.op === 'encode') return { ok: runEncodeJob(task.job) }
    if (task.op === 'decode') return { ok: runDecodeJob(task.job) }
    // an output that is a view of the read buffer (no codec returns one today) must not leave with it
    return { ok: runDecodeJob(readJobSections(task.job, task.from, scratch.space)).map((bytes) => (scratch.holds(bytes) ? bytes.slice() : bytes)) }
  } catch (error) {
    return { failed: sendError(error) }
  }
}

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

/** One job's result, or its error in a form that survives the trip back. */
function runJob(task: JobTask): JobReply {
  try {
    if (task.op === 'hash-file') return { ok: fileSha256(task.path) }
    if (task.op === 'encode') return { ok: runEncodeJob(task.job) }
    return { ok: runDecodeJob(task.op === 'decode' ? task.job : readJobSections(task.job, task.from)) }
  } catch (error) {
    return { failed: sendError(error) }
  }
}

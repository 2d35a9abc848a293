import { move, transferableSymbol, valueSymbol } from 'piscina'
import { runDecodeJob } from '../decode-job.js'
import { runEncodeJob } from './encode-job.js'
import { fileSha256 } from './file-hash.js'
import { readJobSections } from './file-job.js'
import type { Task, TaskReply } from './pool.js'
import { transferList } from './transfer.js'
import { sendError } from './worker-errors.js'

/** A pool worker: runs one job and moves its output buffers back to the caller without copying. */
export default function runTask(task: Task): object {
  let reply: TaskReply
  try {
    if (task.op === 'hash-file') return { ok: fileSha256(task.path) }
    if (task.op === 'encode') reply = { ok: runEncodeJob(task.job) }
    else reply = { ok: runDecodeJob(task.op === 'decode' ? task.job : readJobSections(task.job, task.from)) }
  } catch (error) {
    return { failed: sendError(error) }
  }
  // move() marks the object so piscina sends `reply` with its buffers in the transfer list.
  return move({ [transferableSymbol]: transferList(reply.ok), [valueSymbol]: reply } as unknown as ArrayBuffer)
}

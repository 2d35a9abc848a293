import { Worker } from 'node:worker_threads'
import { receiveError, type SentError } from '@qchain/chain/node'
import type { LevelOutput, QuantizeProgress } from '@qchain/quantize'

export interface QuantizeWork {
  sourceDir: string
  outputs: LevelOutput[]
  calibration?: number[][]
}

export type QuantizeWorkerMessage = { progress: QuantizeProgress } | { done: true } | { failed: SentError }

/**
 * Runs quantizeModel in a worker thread and waits for the thread to end, so the memory the
 * quantizers kept (tfjs's WebAssembly heap) is returned before the chain is encoded.
 */
export function quantizeInThread(work: QuantizeWork, onProgress: (event: QuantizeProgress) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./quantize-worker.js', import.meta.url), { workerData: work })
    let outcome: { error?: Error } | undefined
    worker.on('message', (message: QuantizeWorkerMessage) => {
      if ('progress' in message) return onProgress(message.progress)
      outcome = 'failed' in message ? { error: receiveError(message.failed) } : {}
      // Its work is over (the folders are committed or abandoned): a handle left open must not keep it, or its heap, alive.
      void worker.terminate()
    })
    worker.on('error', (error) => (outcome ??= { error }))
    worker.on('exit', (code) => {
      if (outcome?.error) reject(outcome.error)
      else if (outcome) resolve()
      else reject(new Error(`the quantize thread exited with code ${code} before finishing`))
    })
  })
}

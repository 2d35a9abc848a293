import { parentPort, workerData } from 'node:worker_threads'
import { sendError } from '@qchain/chain/node'
import { quantizeModel } from '@qchain/quantize'
import type { QuantizeWork, QuantizeWorkerMessage } from './quantize-thread.js'

// The quantize stage in a thread of its own: tfjs's WebAssembly heap grows to the largest
// Hessian and activation batch and never shrinks, and it goes away with the thread.
const { sourceDir, outputs, calibration } = workerData as QuantizeWork
const post = (message: QuantizeWorkerMessage) => parentPort?.postMessage(message)
try {
  await quantizeModel(sourceDir, outputs, { ...(calibration && { calibration }), onProgress: (event) => post({ progress: event }) })
  post({ done: true })
} catch (error) {
  post({ failed: sendError(error) })
}

import * as tf from '@tensorflow/tfjs-core'
import { QchainError } from '@qchain/errors'

/** The one TensorFlow.js instance every qchain package computes with. */
export { tf }

export type TensorBackendName = 'wasm' | 'cpu'

export interface TensorBackendOptions {
  /** Told when the fast wasm backend is unavailable and the slower cpu one is used instead. */
  onWarning?: (message: string) => void
}

let selected: Promise<TensorBackendName> | undefined

/**
 * Makes TensorFlow.js ready to compute: the wasm backend (SIMD, single thread), or the pure
 * JavaScript cpu backend when wasm cannot start. Runs once per process; later calls return
 * the first call's result, so only the first caller's `onWarning` is used.
 */
export function initTensorBackend(options: TensorBackendOptions = {}): Promise<TensorBackendName> {
  selected ??= selectBackend(options.onWarning ?? ((message) => console.warn(message)))
  return selected
}

async function selectBackend(warn: (message: string) => void): Promise<TensorBackendName> {
  let wasmProblem: string
  try {
    await import('@tensorflow/tfjs-backend-wasm')
    if (await tf.setBackend('wasm')) return 'wasm'
    wasmProblem = 'it failed to initialize'
  } catch (error) {
    wasmProblem = (error as Error).message
  }
  // tfjs-core ships no kernels of its own: the cpu backend is its own package, installed with the wasm one.
  try {
    await import('@tensorflow/tfjs-backend-cpu')
    if (await tf.setBackend('cpu')) {
      warn(`the TensorFlow.js wasm backend is unavailable (${wasmProblem}); computing with the much slower cpu backend`)
      return 'cpu'
    }
  } catch {
    // reported below together with the wasm problem
  }
  throw new QchainError('TENSOR_BACKEND', `no TensorFlow.js backend could start: wasm: ${wasmProblem}; cpu: unavailable`, {}, 'unsupported')
}

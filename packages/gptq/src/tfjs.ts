import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import { GptqError } from './errors.js'

let ready: Promise<void> | undefined

/**
 * Selects the tfjs wasm backend (SIMD, single thread; no setWasmPaths needed in Node). Idempotent;
 * every async entry point awaits it, and the synchronous linear algebra requires it.
 */
export function initTfjsWasm(): Promise<void> {
  ready ??= (async () => {
    if (!(await tf.setBackend('wasm'))) throw new GptqError('backend-not-ready', 'the tfjs wasm backend failed to initialise')
    await tf.ready()
  })()
  return ready
}

/** Throws unless the wasm backend is the active one (another module may have switched it). */
export function requireTfjsWasm(): void {
  if (tf.getBackend() !== 'wasm') {
    throw new GptqError('backend-not-ready', `large matrix products need the tfjs wasm backend (active: ${tf.getBackend() ?? 'none'}); await initTfjsWasm() first`)
  }
}

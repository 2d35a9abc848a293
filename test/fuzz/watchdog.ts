import { Worker } from 'node:worker_threads'

/**
 * Catches a real infinite loop, which the per-case timing cannot: a decoder stuck in a
 * synchronous loop blocks the event loop, so a worker thread watches a shared case counter
 * and, when one case runs past `limitMs`, prints the case to stderr and kills the process
 * (a stuck thread cannot be stopped any other way).
 */
export interface Watchdog {
  enter(label: string): void
  leave(): void
  stop(): Promise<void>
}

const LABEL_BYTES = 512

// Plain JavaScript: the worker is evaluated from this string, without the TypeScript loader.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const state = new Int32Array(workerData.state)
const label = new Uint8Array(workerData.label)
let seen = -1
let since = Date.now()
setInterval(() => {
  const generation = Atomics.load(state, 0)
  if (generation !== seen) { seen = generation; since = Date.now(); return }
  if (Atomics.load(state, 1) === 0 || Date.now() - since < workerData.limitMs) return
  const text = new TextDecoder().decode(label.slice(0, Atomics.load(state, 2)))
  writeSync(2, '\\nfuzz watchdog: hang, ' + text + ' has run for ' + (Date.now() - since) + ' ms; killing the process\\n')
  process.kill(process.pid, 'SIGKILL')
}, 250)
`

export function startWatchdog(limitMs: number): Watchdog {
  const state = new SharedArrayBuffer(3 * 4)
  const label = new SharedArrayBuffer(LABEL_BYTES)
  const flags = new Int32Array(state)
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { state, label, limitMs } })
  worker.unref()
  return {
    enter(text) {
      const encoded = new TextEncoder().encode(text).subarray(0, LABEL_BYTES)
      new Uint8Array(label).set(encoded)
      Atomics.store(flags, 2, encoded.length)
      Atomics.store(flags, 1, 1)
      Atomics.add(flags, 0, 1)
    },
    leave() {
      Atomics.store(flags, 1, 0)
    },
    async stop() {
      await worker.terminate()
    },
  }
}

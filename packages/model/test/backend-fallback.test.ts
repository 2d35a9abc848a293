import { initTensorBackend, tf } from '@qchain/tensor/tfjs'
import { describe, expect, it, vi } from 'vitest'
import { createModel, disposeModel, forward } from '../src/index.js'
import { BABYLLAMA_FP16, HAS_BABYLLAMA, MISSING_BABYLLAMA, readReference } from './fixture.js'

// This file's worker (vitest isolates test files) sees a wasm backend that cannot load.
vi.mock('@tensorflow/tfjs-backend-wasm', () => {
  throw new Error('WebAssembly is not available')
})

describe('tensor backend fallback', () => {
  it('warns through the callback and computes with the cpu backend', async () => {
    const warnings: string[] = []
    expect(await initTensorBackend({ onWarning: (message) => warnings.push(message) })).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/wasm backend is unavailable \(.+\); computing with the much slower cpu backend/)
  })

  it.skipIf(!HAS_BABYLLAMA)(`gives the reference logits there too${HAS_BABYLLAMA ? '' : ` (${MISSING_BABYLLAMA})`}`, async () => {
    const { golden } = readReference(BABYLLAMA_FP16)
    const model = await createModel(BABYLLAMA_FP16)
    const logits = forward(model, [golden.tokens])
    const last = tf.tidy(() => Array.from(tf.slice(logits, [0, golden.tokens.length - 1, 0], [1, 1, -1]).dataSync()))
    logits.dispose()
    disposeModel(model)
    expect(Math.max(...last.map((value, id) => Math.abs(value - golden.logits_last8[7]![id]!)))).toBeLessThan(1e-3)
  })
})

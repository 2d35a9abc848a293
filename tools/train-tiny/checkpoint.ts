import { existsSync } from 'node:fs'
import type { ModelConfig } from '@qchain/model'
import { tf } from '@qchain/tensor/tfjs'
import type { AdamState } from './adamw.js'
import { parameterShapes } from './parameters.js'
import { readF32File, writeTensorFile, type NamedArray } from './tensor-file.js'

/** Where training stands: weights, Adam moments, steps done and training seconds spent. */
export interface Checkpoint {
  step: number
  trainSeconds: number
  weights: Map<string, Float32Array>
  moments: Map<string, { m: Float32Array; v: Float32Array }>
}

const M_PREFIX = 'adam.m.'
const V_PREFIX = 'adam.v.'

/** Saves weights and Adam moments in F32, so a resumed run continues the same optimization. */
export async function saveCheckpoint(path: string, variables: ReadonlyMap<string, tf.Variable>, adam: AdamState, step: number, trainSeconds: number): Promise<void> {
  const tensors = new Map<string, NamedArray>()
  const read = (variable: tf.Variable) => ({ shape: variable.shape, values: new Float32Array(variable.dataSync()) })
  for (const [name, variable] of variables) {
    tensors.set(name, read(variable))
    const moments = adam.moments.get(name) as { m: tf.Variable; v: tf.Variable }
    tensors.set(M_PREFIX + name, read(moments.m))
    tensors.set(V_PREFIX + name, read(moments.v))
  }
  await writeTensorFile(path, tensors, 'F32', { step: String(step), trainSeconds: trainSeconds.toFixed(1) })
}

/** The checkpoint at `path` if there is one; its tensors must match the config's shapes. */
export async function loadCheckpoint(path: string, config: ModelConfig): Promise<Checkpoint | undefined> {
  if (!existsSync(path)) return undefined
  const { tensors, metadata } = await readF32File(path)
  const take = (name: string, shape: number[]) => {
    const found = tensors.get(name)
    if (!found || found.shape.join() !== shape.join()) throw new Error(`${path}: ${name} is missing or not shaped [${shape.join(', ')}]`)
    return found.values
  }
  const weights = new Map<string, Float32Array>()
  const moments = new Map<string, { m: Float32Array; v: Float32Array }>()
  for (const [name, shape] of parameterShapes(config)) {
    weights.set(name, take(name, shape))
    moments.set(name, { m: take(M_PREFIX + name, shape), v: take(V_PREFIX + name, shape) })
  }
  return { step: Number(metadata.step), trainSeconds: Number(metadata.trainSeconds), weights, moments }
}

/** Puts a checkpoint's moments into a fresh Adam state. */
export function restoreMoments(adam: AdamState, checkpoint: Checkpoint): void {
  for (const [name, { m, v }] of adam.moments) {
    const saved = checkpoint.moments.get(name) as { m: Float32Array; v: Float32Array }
    tf.tidy(() => {
      m.assign(tf.tensor(saved.m, m.shape))
      v.assign(tf.tensor(saved.v, v.shape))
    })
  }
  adam.steps = checkpoint.step
}

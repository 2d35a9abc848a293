import { tf } from '@qchain/tensor/tfjs'
import { variableOf } from './parameters.js'

export interface AdamWOptions {
  beta1: number
  beta2: number
  epsilon: number
  /** Decoupled weight decay, applied to matrices only (not to norm gains). */
  weightDecay: number
  /** Gradients are scaled down together when their global L2 norm exceeds this. */
  clipNorm: number
}

export const DEFAULT_ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, clipNorm: 1 }

/** Adam's first and second moment estimates per variable, and how many updates were applied. */
export interface AdamState {
  steps: number
  moments: Map<string, { m: tf.Variable; v: tf.Variable }>
}

export function createAdamState(variables: ReadonlyMap<string, tf.Variable>): AdamState {
  const moments = new Map([...variables].map(([name, variable]) => [name, { m: variableOf(tf.zerosLike(variable), false), v: variableOf(tf.zerosLike(variable), false) }]))
  return { steps: 0, moments }
}

/**
 * One AdamW update with global-norm gradient clipping. `gradients` are keyed by tfjs variable
 * name, as tf.variableGrads returns them, and stay the caller's. Returns the norm before clipping.
 */
export function applyAdamW(variables: ReadonlyMap<string, tf.Variable>, gradients: tf.NamedTensorMap, state: AdamState, learningRate: number, options: AdamWOptions): number {
  const { beta1, beta2, epsilon, weightDecay, clipNorm } = options
  const names = [...variables.keys()]
  const gradientOf = (name: string) => gradients[(variables.get(name) as tf.Variable).name] as tf.Tensor
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(gradientOf(name)))))))
  const gradientNorm = norm.dataSync()[0] as number
  norm.dispose()
  const scale = gradientNorm > clipNorm ? clipNorm / gradientNorm : 1
  state.steps++
  const correction1 = 1 - beta1 ** state.steps
  const correction2 = 1 - beta2 ** state.steps
  for (const name of names) {
    const variable = variables.get(name) as tf.Variable
    const { m, v } = state.moments.get(name) as { m: tf.Variable; v: tf.Variable }
    tf.tidy(() => {
      const gradient = tf.mul(gradientOf(name), scale)
      m.assign(tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1)))
      v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2)))
      const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon))
      const decayed = variable.rank > 1 ? tf.mul(variable, 1 - learningRate * weightDecay) : variable
      variable.assign(tf.sub(decayed, tf.mul(update, learningRate)))
    })
  }
  return gradientNorm
}

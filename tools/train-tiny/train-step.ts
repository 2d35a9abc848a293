import { forward, type LlamaModel, type TokenBatch } from '@qchain/model'
import { tf } from '@qchain/tensor/tfjs'
import { applyAdamW, type AdamState, type AdamWOptions } from './adamw.js'
import type { TrainableModel } from './parameters.js'

/**
 * Mean next-token negative log-likelihood (nats per token) of a batch, computed with the
 * @qchain/model forward exactly as `perplexity` scores it: position t predicts token t + 1.
 */
export function batchLoss(model: LlamaModel, batch: TokenBatch): tf.Scalar {
  return tf.tidy(() => {
    const inputs = batch.map((sequence) => sequence.slice(0, -1))
    const targets = batch.flatMap((sequence) => sequence.slice(1))
    const logits = forward(model, inputs)
    const vocab = model.config.vocabSize
    const rows = tf.reshape(logits, [targets.length, vocab])
    const picked = tf.mul(tf.logSoftmax(rows), tf.oneHot(tf.tensor1d(targets, 'int32'), vocab))
    return tf.div(tf.neg(tf.sum(picked)), targets.length)
  })
}

export interface StepResult {
  loss: number
  gradientNorm: number
}

/** Differentiates the batch loss with respect to every variable and applies one AdamW update. */
export function trainStep(trainable: TrainableModel, state: AdamState, batch: TokenBatch, rate: number, options: AdamWOptions): StepResult {
  const variables = [...trainable.variables.values()]
  const { value, grads } = tf.variableGrads(() => batchLoss(trainable.model, batch), variables)
  const loss = value.dataSync()[0] as number
  const gradientNorm = applyAdamW(trainable.variables, grads, state, rate, options)
  tf.dispose([value, ...Object.values(grads)])
  return { loss, gradientNorm }
}

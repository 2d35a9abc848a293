import { tf } from '@qchain/tensor/tfjs'
import { ModelError } from '../errors.js'
import { forward, type LlamaModel } from './model.js'
import type { TokenBatch } from './tokens.js'

export interface PerplexityResult {
  /** Mean negative log-likelihood of each next token, in nats per token. */
  meanNll: number
  perplexity: number
  /** How many next-token predictions were scored (sequence length - 1 per sequence). */
  predictions: number
}

export interface PerplexityOptions {
  /** Sequences run together in one forward pass (consecutive ones of equal length). */
  batchSize?: number
}

/** Scores every next-token prediction of each sequence with a numerically stable log-softmax. */
export function perplexity(model: LlamaModel, sequences: TokenBatch, options: PerplexityOptions = {}): PerplexityResult {
  const tooShort = sequences.findIndex((sequence) => sequence.length < 2)
  if (sequences.length === 0 || tooShort >= 0) {
    const field = tooShort >= 0 ? `sequences[${tooShort}]` : 'sequences'
    throw new ModelError('invalid-input', 'perplexity needs sequences of at least 2 tokens (a context and a prediction)', { field })
  }
  const batchSize = options.batchSize ?? 8
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ModelError('invalid-input', `batchSize must be a whole number >= 1, not ${batchSize}`, { field: 'batchSize' })
  }
  let totalNll = 0
  let predictions = 0
  for (const batch of equalLengthBatches(sequences, batchSize)) {
    totalNll += batchNll(model, batch)
    predictions += batch.length * ((batch[0] as readonly number[]).length - 1)
  }
  const meanNll = totalNll / predictions
  return { meanNll, perplexity: Math.exp(meanNll), predictions }
}

/** Sum over the batch of -log p(token[t + 1] | tokens[..t]). */
function batchNll(model: LlamaModel, batch: TokenBatch): number {
  const logits = forward(model, batch)
  const [size, seq, vocab] = logits.shape
  const sum = tf.tidy(() => {
    const predicting = tf.slice(logits, [0, 0, 0], [size, seq - 1, vocab])
    const targets = tf.oneHot(tf.tensor2d(batch.map((sequence) => sequence.slice(1)), [size, seq - 1], 'int32'), vocab)
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(predicting), targets)))
  })
  const value = sum.dataSync()[0] as number
  tf.dispose([logits, sum])
  return value
}

function* equalLengthBatches(sequences: TokenBatch, batchSize: number): Generator<TokenBatch> {
  let batch: (readonly number[])[] = []
  for (const sequence of sequences) {
    if (batch.length === batchSize || (batch[0] && batch[0].length !== sequence.length)) {
      yield batch
      batch = []
    }
    batch.push(sequence)
  }
  if (batch.length) yield batch
}

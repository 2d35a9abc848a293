import { tf } from '@qchain/tensor/tfjs'
import type { ModelConfig } from '../config.js'
import { ModelError } from '../errors.js'

/** Token id sequences of equal length, run together as one batch. */
export type TokenBatch = readonly (readonly number[])[]

/** Checks that the batch is rectangular and non-empty, and every id is an integer in [0, vocab). */
export function validateTokens(tokens: TokenBatch, config: ModelConfig): void {
  const length = tokens[0]?.length ?? 0
  if (length === 0) throw new ModelError('invalid-input', 'the token batch is empty', { field: 'tokens' })
  tokens.forEach((sequence, row) => {
    if (sequence.length !== length) {
      throw new ModelError('invalid-input', `sequence ${row} has ${sequence.length} tokens but sequence 0 has ${length}; a batch needs equal lengths`, { field: `tokens[${row}]` })
    }
    sequence.forEach((id, position) => {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new ModelError('invalid-input', `token id ${id} at position ${position} of sequence ${row} is outside the vocabulary [0, ${config.vocabSize})`, { field: `tokens[${row}][${position}]` })
      }
    })
  })
}

/** Looks up the embeddings of a validated batch: [batch, seq, hidden]. */
export function embed(tokens: TokenBatch, embedding: tf.Tensor2D, config: ModelConfig): tf.Tensor3D {
  validateTokens(tokens, config)
  const [batch, seq] = [tokens.length, tokens[0]?.length ?? 0]
  return tf.tidy(() => tf.reshape(tf.gather(embedding, tf.tensor1d(tokens.flat(), 'int32')), [batch, seq, config.hiddenSize]))
}

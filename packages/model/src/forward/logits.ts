import { tf } from '@qchain/tensor/tfjs'
import type { ModelConfig } from '../config.js'
import { projectRows, rmsNorm } from './layers.js'
import type { OuterWeights } from './weights.js'

/** Final RMSNorm and output projection: [batch, seq, hidden] -> [batch, seq, vocab] logits. */
export function finalLogits(hidden: tf.Tensor3D, { finalNorm, lmHead }: OuterWeights, config: ModelConfig): tf.Tensor3D {
  const [batch, seq, width] = hidden.shape
  return tf.tidy(() => {
    const rows = rmsNorm(tf.reshape(hidden, [batch * seq, width]) as tf.Tensor2D, finalNorm, config.rmsNormEps)
    return tf.reshape(projectRows(rows, lmHead), [batch, seq, config.vocabSize])
  })
}

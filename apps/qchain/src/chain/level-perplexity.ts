import { disposeModel, perplexity } from '@qchain/model'
import { loadAnyModel } from '../load-any-model.js'

/** Mean NLL of a 16-bit, GPTQ or LLM.int8 folder (quantized ones run through their dequantized weights). */
export async function levelPerplexity(dir: string, sequences: readonly number[][]): Promise<{ meanNll: number; perplexity: number }> {
  const { model } = await loadAnyModel(dir)
  try {
    const result = perplexity(model, sequences)
    return { meanNll: result.meanNll, perplexity: result.perplexity }
  } finally {
    disposeModel(model)
  }
}

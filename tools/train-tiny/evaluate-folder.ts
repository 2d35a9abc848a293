import { loadSequences, loadTokenizer, type Split } from '@qchain/calibration'
import { createModel, disposeModel, generate, perplexity } from '@qchain/model'

export interface FolderEvaluation {
  /** Mean NLL in nats/token of the stored (bf16) weights, as `qchain perplexity` scores them. */
  heldOutNll: number
  trainNll: number
  predictions: number
  samples: number
  seqLen: number
  prompt: string
  greedy: string
  sampled: string
}

export const SAMPLE_PROMPT = 'The history of the'
/** `qchain perplexity` draws its default evaluation sequences with this seed. */
const EVALUATION_SEED = 1

/** Loads the written folder as any user would and scores and samples it. */
export async function evaluateFolder(dir: string, samples: number, seqLen: number, maxNewTokens: number): Promise<FolderEvaluation> {
  const model = await createModel(dir)
  try {
    const tokenizer = await loadTokenizer(dir)
    const score = async (split: Split) => {
      const sequences = await loadSequences('default', { split, samples, seqLen, seed: EVALUATION_SEED, vocabSize: model.config.vocabSize, tokenizer })
      return perplexity(model, sequences, { batchSize: 4 })
    }
    const heldOut = await score('evaluation')
    const train = await score('calibration')
    const prompt = tokenizer.encode(SAMPLE_PROMPT)
    const continuation = (temperature: number) => tokenizer.decode([...prompt, ...generate(model, prompt, { maxNewTokens, temperature, seed: 0 })].slice(1))
    return { heldOutNll: heldOut.meanNll, trainNll: train.meanNll, predictions: heldOut.predictions, samples, seqLen, prompt: SAMPLE_PROMPT, greedy: continuation(0), sampled: continuation(0.8) }
  } finally {
    disposeModel(model)
  }
}

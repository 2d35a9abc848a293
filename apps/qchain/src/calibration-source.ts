import { extname } from 'node:path'
import { loadSequences, loadTokenizer, type CalibrationSource, type Split } from '@qchain/calibration'

export interface SequenceRequest {
  /** 'default' or a path. */
  source: string
  split: Split
  samples: number
  seqLen: number
  seed: number
}

/** Loads token sequences for a model, reading its tokenizer only when the source is text. */
export async function sequencesFor(modelDir: string, vocabSize: number, request: SequenceRequest): Promise<number[][]> {
  const source: CalibrationSource = request.source === 'default' ? 'default' : { path: request.source }
  const needsTokenizer = request.source === 'default' || extname(request.source).toLowerCase() !== '.json'
  const tokenizer = needsTokenizer ? await loadTokenizer(modelDir) : undefined
  return loadSequences(source, { ...request, vocabSize, ...(tokenizer && { tokenizer }) })
}

import type { TextTokenizer } from '@qchain/calibration'
import { BOS_ID } from './vocabulary.js'

/** One document as a token stream without <s>, and where each of its sentences begins. */
export interface TokenizedDocument {
  tokens: Int32Array
  sentenceStarts: number[]
}

/**
 * Tokenizes each sentence alone and drops its <s>: for a character tokenizer that gives the
 * tokens of the sentences joined by spaces, as @qchain/calibration's default corpus joins them.
 */
export function tokenizeDocuments(documents: readonly (readonly string[])[], tokenizer: TextTokenizer): TokenizedDocument[] {
  return documents.map((sentences) => {
    const pieces = sentences.map((sentence) => tokenizer.encode(sentence).slice(1))
    const sentenceStarts: number[] = []
    let length = 0
    for (const piece of pieces) {
      sentenceStarts.push(length)
      length += piece.length
    }
    return { tokens: Int32Array.from(pieces.flat()), sentenceStarts }
  })
}

/**
 * `batchSize` training sequences of `length` tokens drawn the way the project's default
 * calibration and evaluation sequences are: a random document, a random sentence in it, then
 * <s> and the text from that sentence on. Starts too close to the end to fill a sequence are skipped.
 */
export function sampleBatch(documents: readonly TokenizedDocument[], batchSize: number, length: number, random: () => number): number[][] {
  const batch: number[][] = []
  while (batch.length < batchSize) {
    const document = documents[Math.floor(random() * documents.length)] as TokenizedDocument
    const starts = document.sentenceStarts
    const start = starts[Math.floor(random() * starts.length)] as number
    if (start + length - 1 > document.tokens.length) continue
    batch.push([BOS_ID, ...document.tokens.subarray(start, start + length - 1)])
  }
  return batch
}

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Split } from './token-file.js'
import type { TextTokenizer } from './tokenizer.js'
import { CalibrationError } from './errors.js'

/** nlp-corpus ships 100 documents of English sentences; the last ten are held out for evaluation. */
const DOCUMENTS = 100
const HELD_OUT = 10
const FIRST_DOCUMENT: Record<Split, number> = { calibration: 0, evaluation: DOCUMENTS - HELD_OUT }
const DOCUMENT_COUNT: Record<Split, number> = { calibration: DOCUMENTS - HELD_OUT, evaluation: HELD_OUT }

/** The package's entry is src/server/index.js; its documents sit in builds/ two levels up. */
function corpusFolder(): string {
  return fileURLToPath(new URL('../../builds/', import.meta.resolve('nlp-corpus')))
}

/**
 * Sequences of mixed English text from the npm package nlp-corpus (MIT): each sample starts
 * at a random sentence of a random document of the split and runs on through the following
 * sentences until it has `length` tokens. Calibration and evaluation never share a document.
 */
export async function defaultCorpusSequences(split: Split, count: number, length: number, tokenizer: TextTokenizer, random: () => number): Promise<number[][]> {
  const folder = corpusFolder()
  const cache = new Map<number, string[]>()
  const sequences: number[][] = []
  for (let i = 0; i < count; i++) {
    const document = FIRST_DOCUMENT[split] + Math.floor(random() * DOCUMENT_COUNT[split])
    const sentences = cache.get(document) ?? (await readDocument(folder, document))
    cache.set(document, sentences)
    sequences.push(sequenceFrom(sentences, Math.floor(random() * sentences.length), length, tokenizer, document))
  }
  return sequences
}

function sequenceFrom(sentences: readonly string[], start: number, length: number, tokenizer: TextTokenizer, document: number): number[] {
  // Grow the text a sentence at a time; characters are a safe upper bound on tokens, so the loop ends.
  let text = ''
  for (let index = start; index < sentences.length; index++) {
    text += (text ? ' ' : '') + sentences[index]
    if (text.length >= length * 8 || index === sentences.length - 1) {
      const tokens = tokenizer.encode(text)
      if (tokens.length >= length) return tokens.slice(0, length)
    }
  }
  if (start > 0) return sequenceFrom(sentences, 0, length, tokenizer, document)
  throw new CalibrationError('too-short', `corpus document ${document} has fewer than ${length} tokens`, { field: 'seqLen' })
}

async function readDocument(folder: string, index: number): Promise<string[]> {
  const file = join(folder, `doc-${index}.json`)
  const sentences: unknown = JSON.parse(await readFile(file, 'utf8'))
  if (!Array.isArray(sentences) || !sentences.every((s) => typeof s === 'string')) {
    throw new CalibrationError('invalid-file', 'corpus document is not an array of sentences', { file })
  }
  return sentences
}

import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * nlp-corpus (MIT) ships 100 documents of English sentences. The split is the one
 * @qchain/calibration's default corpus uses: 0-89 calibrate (here: train), 90-99 evaluate.
 */
export const TRAIN_DOCUMENTS = { first: 0, count: 90 } as const
export const HELD_OUT_DOCUMENTS = { first: 90, count: 10 } as const

/** The package's entry is src/server/index.js; its documents sit in builds/ two levels up. */
function corpusFolder(): string {
  const entry = createRequire(import.meta.url).resolve('nlp-corpus')
  return join(dirname(entry), '..', '..', 'builds')
}

/** The sentences of documents first .. first + count - 1, one array per document. */
export async function readDocuments({ first, count }: { first: number; count: number }): Promise<string[][]> {
  const folder = corpusFolder()
  const documents: string[][] = []
  for (let index = first; index < first + count; index++) {
    const file = join(folder, `doc-${index}.json`)
    const sentences: unknown = JSON.parse(await readFile(file, 'utf8'))
    if (!Array.isArray(sentences) || !sentences.every((s) => typeof s === 'string')) throw new Error(`${file} is not an array of sentences`)
    documents.push(sentences)
  }
  return documents
}

import { readFile, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { seededRandom } from '@qchain/model'
import { defaultCorpusSequences } from './default-corpus.js'
import { CalibrationError } from './errors.js'
import { parseTokenJson, type Split } from './token-file.js'
import type { TextTokenizer } from './tokenizer.js'
import { sampleWindows } from './windows.js'

/** `default` is the built-in English corpus; a path is read by its extension (.json tokens, .jsonl, else text). */
export type CalibrationSource = 'default' | { path: string }

export interface SequenceOptions {
  split: Split
  samples: number
  seqLen: number
  seed: number
  vocabSize: number
  /** Needed for text sources (default corpus, text, jsonl); token files need none. */
  tokenizer?: TextTokenizer
}

/** Text files above this are refused rather than read into memory. */
const MAX_TEXT_BYTES = 256 * 1024 * 1024
/** At most this many tokens in all (16 M tokens of f32 activations at hidden 4096 is already 256 GiB). */
const MAX_TOTAL_TOKENS = 1 << 22

/**
 * Token sequences for calibration or evaluation. Text is sampled in seeded random windows
 * of `seqLen` tokens; token files give their sequences as stored (the first `samples`, each
 * cut to `seqLen`). Every id is checked against the vocabulary.
 */
export async function loadSequences(source: CalibrationSource, options: SequenceOptions): Promise<number[][]> {
  checkOptions(options)
  const random = seededRandom(options.seed)
  const label = source === 'default' ? 'nlp-corpus (built-in default)' : source.path
  let sequences: number[][]
  if (source === 'default') {
    sequences = await defaultCorpusSequences(options.split, options.samples, options.seqLen, needTokenizer(options, label), random)
  } else {
    const text = await readSource(source.path)
    const kind = extname(source.path).toLowerCase()
    if (kind === '.json') {
      sequences = parseTokenJson(text, options.split, source.path)
        .slice(0, options.samples)
        .map((sequence) => sequence.slice(0, options.seqLen))
    } else {
      const joined = kind === '.jsonl' ? jsonlText(text, source.path) : text
      if (joined.trim() === '') throw new CalibrationError('empty', 'the calibration text is empty', { file: source.path })
      sequences = sampleWindows(needTokenizer(options, label).encode(joined), options.samples, options.seqLen, random, source.path)
    }
  }
  checkVocabulary(sequences, options.vocabSize, label)
  return sequences
}

function checkOptions({ samples, seqLen, seed }: SequenceOptions): void {
  const bad = (field: string, detail: string) => new CalibrationError('invalid-options', detail, { field })
  if (!Number.isInteger(samples) || samples < 1) throw bad('samples', `samples must be a whole number >= 1, not ${samples}`)
  if (!Number.isInteger(seqLen) || seqLen < 2) throw bad('seqLen', `sequence length must be a whole number >= 2, not ${seqLen}`)
  if (!Number.isInteger(seed)) throw bad('seed', `seed must be a whole number, not ${seed}`)
  if (samples * seqLen > MAX_TOTAL_TOKENS) throw bad('samples', `${samples} x ${seqLen} tokens is over the ${MAX_TOTAL_TOKENS}-token cap`)
}

function needTokenizer(options: SequenceOptions, label: string): TextTokenizer {
  if (!options.tokenizer) throw new CalibrationError('invalid-options', 'text needs the model tokenizer (tokenizer.json), and none was given', { file: label })
  return options.tokenizer
}

async function readSource(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) throw new CalibrationError('not-found', 'no calibration file here', { file: path })
  if (info.size > MAX_TEXT_BYTES) throw new CalibrationError('invalid-file', `file of ${info.size} bytes is over the ${MAX_TEXT_BYTES}-byte cap`, { file: path })
  // Decoded strictly: a binary file fed as text would otherwise tokenize into plausible-looking garbage.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path))
  } catch (error) {
    if (error instanceof TypeError) throw new CalibrationError('invalid-file', 'not UTF-8 text (a binary file?)', { file: path })
    throw error
  }
}

/** The "text" field of every jsonl record, joined by blank lines. */
function jsonlText(text: string, file: string): string {
  const texts: string[] = []
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    let record: unknown
    try {
      record = JSON.parse(line)
    } catch {
      throw new CalibrationError('invalid-file', `line ${index + 1} is not valid JSON`, { file })
    }
    const value = (record as { text?: unknown } | null)?.text
    if (typeof value !== 'string') throw new CalibrationError('invalid-file', `line ${index + 1} has no string "text" field`, { file, field: 'text' })
    texts.push(value)
  }
  return texts.join('\n\n')
}

function checkVocabulary(sequences: readonly number[][], vocabSize: number, file: string): void {
  for (const [row, sequence] of sequences.entries()) {
    for (const [position, id] of sequence.entries()) {
      if (id < 0 || id >= vocabSize) {
        throw new CalibrationError('token-out-of-range', `token id ${id} at position ${position} of sequence ${row} is outside the vocabulary [0, ${vocabSize})`, { file })
      }
    }
  }
}

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Tokenizer } from '@huggingface/tokenizers'
import { CalibrationError } from './errors.js'

export interface TextTokenizer {
  encode(text: string): number[]
  decode(ids: readonly number[]): string
}

/** Loads `<dir>/tokenizer.json` (and tokenizer_config.json when present) with the pure-JS Hugging Face tokenizers. */
export async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const file = join(dir, 'tokenizer.json')
  const json = await readJson(file, true)
  const config = (await readJson(join(dir, 'tokenizer_config.json'), false)) ?? {}
  let tokenizer: Tokenizer
  try {
    tokenizer = new Tokenizer(json as object, config as object)
  } catch (error) {
    throw new CalibrationError('invalid-file', `tokenizer.json could not be loaded: ${(error as Error).message}`, { file })
  }
  return {
    encode: (text) => tokenizer.encode(text).ids,
    decode: (ids) => tokenizer.decode([...ids]),
  }
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) {
    if (required) throw new CalibrationError('not-found', 'the model folder has no tokenizer.json', { file })
    return undefined
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CalibrationError('invalid-file', `not valid JSON: ${(error as Error).message}`, { file })
  }
}

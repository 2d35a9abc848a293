import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseModelConfig, type ModelConfig } from './config.js'
import { ModelError } from './errors.js'

export const CONFIG_FILE_NAME = 'config.json'

/** Reads and validates `<dir>/config.json`. */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const file = join(dir, CONFIG_FILE_NAME)
  const text = await readFile(file, 'utf8').catch(() => {
    throw new ModelError('not-found', 'the model folder has no config.json', { file })
  })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ModelError('invalid-config', `not valid JSON: ${(error as Error).message}`, { file })
  }
  return parseModelConfig(json, file)
}

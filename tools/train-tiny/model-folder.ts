import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { configJson, modelConfig, type Architecture } from './architecture.js'
import { parameterShapes } from './parameters.js'
import { writeTensorFile, type NamedArray } from './tensor-file.js'
import { tokenizerConfigJson, tokenizerJson } from './tokenizer-json.js'

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

/** tokenizer.json and tokenizer_config.json of the character vocabulary. */
export async function writeTokenizerFiles(dir: string, vocabulary: readonly string[], maxLength: number): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'tokenizer.json'), json(tokenizerJson(vocabulary)))
  await writeFile(join(dir, 'tokenizer_config.json'), json(tokenizerConfigJson(maxLength)))
}

/** config.json and model.safetensors, the weights rounded to BF16 under their Hugging Face names. */
export async function writeModelFiles(dir: string, architecture: Architecture, weights: ReadonlyMap<string, Float32Array>): Promise<void> {
  await mkdir(dir, { recursive: true })
  const tensors = new Map<string, NamedArray>()
  for (const [name, shape] of parameterShapes(modelConfig(architecture))) tensors.set(name, { shape, values: weights.get(name) as Float32Array })
  await writeTensorFile(join(dir, 'model.safetensors'), tensors, 'BF16')
  await writeFile(join(dir, 'config.json'), json(configJson(architecture)))
}

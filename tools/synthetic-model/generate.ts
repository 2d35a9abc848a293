import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createFolderWriter } from '@qchain/safetensors/node'
import { configJson } from '../train-tiny/architecture.js'
import { SHAPES, tensorShapes, type ShapeName } from './shapes.js'
import { syntheticTensor } from './weights.js'

export const USAGE = `usage: npx tsx tools/synthetic-model/generate.ts --out DIR [--shape ${Object.keys(SHAPES).join('|')}] [--seed N]
Writes a LlamaForCausalLM folder (config.json, model.safetensors in bf16) with synthetic
heavy-tailed weights, one tensor in memory at a time. Default shape tinyllama-1.1b (2.2 GB).`

/** Writes the model folder; returns its parameter count. */
export async function generateModel(out: string, shape: ShapeName, seed: number, onTensor?: (done: number, total: number) => void): Promise<number> {
  const architecture = SHAPES[shape]
  const tensors = tensorShapes(architecture)
  await mkdir(out, { recursive: true })
  const writer = await createFolderWriter(out, tensors.map(({ name, shape: dims }) => ({ name, dtype: 'BF16', shape: dims })), { metadata: { format: 'pt', generator: `qchain synthetic-model ${shape} seed ${seed}` } })
  let parameters = 0
  try {
    for (const [index, tensor] of tensors.entries()) {
      onTensor?.(index, tensors.length)
      const bits = syntheticTensor(tensor, (Math.imul(seed + 1, 0x9e3779b1) + index) >>> 0)
      parameters += bits.length
      await writer.write(tensor.name, new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength))
    }
    await writer.finish()
  } catch (error) {
    await writer.abort()
    throw error
  }
  await writeFile(join(out, 'config.json'), `${JSON.stringify(configJson(architecture), null, 2)}\n`)
  return parameters
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, shape: { type: 'string', default: 'tinyllama-1.1b' }, seed: { type: 'string', default: '0' } } })
  const shape = values.shape as string
  const seed = Number(values.seed)
  if (!values.out || !(shape in SHAPES) || !Number.isInteger(seed)) {
    console.error(USAGE)
    process.exit(2)
  }
  const started = performance.now()
  const parameters = await generateModel(values.out, shape as ShapeName, seed, (done, total) => {
    if (done % 20 === 0) console.error(`tensor ${done + 1}/${total}`)
  })
  console.log(JSON.stringify({ out: values.out, shape, seed, parameters, seconds: (performance.now() - started) / 1000 }))
}

if (import.meta.url === `file://${process.argv[1]}`) await main()

// A small synthetic fp16 "model" folder for the quantize and chain scripts: two matrices, a
// norm vector and a side file that must be carried along verbatim. No config.json: for a model
// qchain cannot run, every floating-point 2-D `*.weight` is quantized directly.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeHeader } from '@qchain/safetensors'
import { writeSafetensorsFile } from '@qchain/safetensors/node'
import { f32ToF16 } from '@qchain/tensor'
import { randomWeights } from './check.mjs'

export const MATRICES = { 'blocks.0.proj.weight': [64, 128], 'blocks.1.proj.weight': [32, 64] }

export async function writeTinyModel(dir) {
  const tensors = { 'norm.weight': f32ToF16(new Float32Array(64).fill(1)) }
  let seed = 10
  for (const [name, [rows, cols]] of Object.entries(MATRICES)) tensors[name] = f32ToF16(randomWeights(rows * cols, seed++))
  const header = encodeHeader(
    Object.entries(tensors).map(([name, bits]) => ({ name, dtype: 'F16', shape: MATRICES[name] ?? [bits.length] })),
    { format: 'pt' },
  )
  await writeSafetensorsFile(join(dir, 'model.safetensors'), header, (info) => new Uint8Array(tensors[info.name].buffer))
  await writeFile(join(dir, 'notes.txt'), 'carried along verbatim\n')
  return tensors
}

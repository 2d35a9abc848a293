/**
 * Real-weight pairs for tests and the benchmark: isnet conv weights with their LLM.int8 rowwise
 * level, babyllama linear weights with GPTQ / RTN levels. Node only (reads the shared fixtures).
 */
import { gptqQuantize, HessianAccumulator, initTfjsWasm, quantizeInt8Rowwise, rtnQuantize, type GptqOptions, type Int8RowwiseLevel, type QuantizedLayer } from '@qchain/gptq'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { toFloat32, typedView } from '@qchain/tensor'
import type { HalfFormat, HalfMatrix } from '../src/index.js'
import { gaussian, seededRandom } from './random.js'

export interface WeightMatrix {
  name: string
  child: HalfMatrix
  /** The same weights as float32 values (exact), for quantizers. */
  values: Float32Array
}

export const hasIsnet = (): boolean => hasFixture('isnet-fp16')
export const hasBabyllama = (): boolean => hasFixture('babyllama-105-fp16') && hasFixture('babyllama-105-bf16')

/** Every `*.weight` of 2+ dims in a fixture, viewed as [shape[0], rest]; `keep` picks some by position. */
export async function loadMatrices(fixture: string, keep: (index: number) => boolean = () => true): Promise<WeightMatrix[]> {
  const folder = await openSafetensorsFolder(fixturePath(fixture, 'model.safetensors'))
  try {
    const out: WeightMatrix[] = []
    let index = 0
    for (const [name, { info }] of folder.tensors) {
      if (!name.endsWith('.weight') || info.shape.length < 2) continue
      if ((info.dtype !== 'F16' && info.dtype !== 'BF16') || !keep(index++)) continue
      const rows = info.shape[0] as number
      const cols = info.shape.slice(1).reduce((a, b) => a * b, 1)
      const bytes = await folder.read(name)
      const format: HalfFormat = info.dtype === 'F16' ? 'f16' : 'bf16'
      const bits = Uint16Array.from(typedView(bytes, info.dtype) as Uint16Array)
      out.push({ name, child: { rows, cols, format, bits }, values: toFloat32(bytes, info.dtype) })
    }
    return out
  } finally {
    await folder.close()
  }
}

/** Babyllama's linear layers (the quantizable ones): q/k/v/o/gate/up/down of every layer. */
export async function loadBabyllamaLinears(format: HalfFormat): Promise<WeightMatrix[]> {
  const all = await loadMatrices(format === 'f16' ? 'babyllama-105-fp16' : 'babyllama-105-bf16')
  return all.filter((m) => m.name.includes('_proj.'))
}

export function int8Level(matrix: WeightMatrix): Int8RowwiseLevel {
  return quantizeInt8Rowwise(matrix.values, matrix.child.rows, matrix.child.cols)
}

/**
 * A Hessian from seeded correlated inputs with uneven column scales (so act-order reorders):
 * x = diag(s) (z + 0.5 * shared component), 4 * cols tokens.
 */
export function syntheticHessian(cols: number, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed))
  const scales = Float32Array.from({ length: cols }, () => Math.exp(0.5 * normal()))
  const tokens = 4 * cols
  const inputs = new Float32Array(tokens * cols)
  for (let t = 0; t < tokens; t++) {
    const shared = normal()
    for (let j = 0; j < cols; j++) inputs[t * cols + j] = (scales[j] as number) * (normal() + 0.5 * shared)
  }
  const accumulator = new HessianAccumulator(cols)
  accumulator.addBatch(inputs, tokens)
  return accumulator.hessian()
}

export type LevelMethod = 'gptq' | 'rtn'

export async function gptqLevel(matrix: WeightMatrix, method: LevelMethod, options: GptqOptions, seed = 1): Promise<QuantizedLayer> {
  const { rows, cols } = matrix.child
  if (method === 'rtn') return rtnQuantize(matrix.values, rows, cols, options)
  await initTfjsWasm()
  return gptqQuantize(matrix.values, rows, cols, syntheticHessian(cols, seed), options)
}

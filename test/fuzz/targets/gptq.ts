import { Buffer } from 'node:buffer'
import { packGptqLayer, unpackGptqLayer, type CheckpointFormat, type GptqPackedLayer, type PackedTensor } from '@qchain/gptq'
import { quantLevel, randomWeights } from '../corpus/levels.js'
import { mutateBytes } from '../mutate.js'
import { OK, wrong, type FuzzTarget, type Verdict } from '../outcome.js'
import { Rng } from '../rng.js'

interface Layer {
  name: string
  packed: GptqPackedLayer
  bits: number
  format: CheckpointFormat
}

type Part = keyof GptqPackedLayer
const PARTS: readonly Part[] = ['qweight', 'qzeros', 'scales', 'gIdx']
const EDGE_DIMS = [0, 1, -1, 0.5, Number.NaN, 31, 33, 2 ** 31, 2 ** 32, 2 ** 53]
const viewBytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength)

/** Valid packed layers: 2/3/4/8 bits, v1 and v2 zero points, grouped, ungrouped and act-order g_idx. */
function buildLayers(): Layer[] {
  const rng = new Rng(0x6970)
  const layers: Layer[] = []
  for (const bits of [2, 3, 4, 8]) {
    for (const [rows, cols, groupSize] of [[32, 32, -1], [64, 96, 32], [32, 128, 64]] as const) {
      for (const sym of [true, false]) {
        const level = quantLevel(randomWeights(rng, rows, cols), rows, cols, bits, groupSize, sym)
        // Act order: a permuted g_idx is valid and takes other code paths.
        if (groupSize === 32 && sym) for (let j = cols - 1; j > 0; j--) { const k = rng.int(j + 1); [level.gIdx[j], level.gIdx[k]] = [level.gIdx[k] as number, level.gIdx[j] as number] }
        // v1 stores zero - 1, so an asymmetric zero point of 0 needs v2.
        const format: CheckpointFormat = level.zeros.includes(0) ? 'gptq_v2' : rng.pick(['gptq', 'gptq_v2'] as const)
        layers.push({ name: `${bits}-bit [${rows}, ${cols}] g${groupSize} ${sym ? 'sym' : 'asym'} ${format}`, packed: packGptqLayer(level, bits, format), bits, format })
      }
    }
  }
  return layers
}

function cloneTensor<T extends Int32Array | Uint16Array>(tensor: PackedTensor<T>): PackedTensor<T> {
  return { data: tensor.data.slice() as T, shape: [...tensor.shape] }
}

/** New data from mutated bytes, cut to whole elements (a truncation may leave a partial one). */
function mutateData<T extends Int32Array | Uint16Array>(tensor: PackedTensor<T>, rng: Rng): { tensor: PackedTensor<T>; did: string } {
  const { bytes, did } = mutateBytes(viewBytes(tensor.data), rng)
  const size = tensor.data.BYTES_PER_ELEMENT
  const whole = bytes.slice(0, bytes.length - (bytes.length % size))
  const data = (size === 4 ? new Int32Array(whole.buffer) : new Uint16Array(whole.buffer)) as T
  return { tensor: { data, shape: tensor.shape }, did }
}

function mutateShape(shape: number[], rng: Rng): string {
  const roll = rng.int(10)
  if (roll < 7 && shape.length > 0) {
    const at = rng.int(shape.length)
    shape[at] = rng.chance(0.5) ? rng.pick(EDGE_DIMS) : (shape[at] as number) * rng.pick([2, 0.5, 4])
  } else if (roll < 9) shape.push(rng.pick([1, 2, 32]))
  else shape.pop()
  return `shape [${shape.join(', ')}]`
}

/** Why unpacked codes are malformed, or undefined; then packing them again must give back the input bit for bit. */
function checkUnpacked(layer: GptqPackedLayer, bits: number, format: CheckpointFormat): string | undefined {
  const unpacked = unpackGptqLayer(layer, bits, format)
  const { rows, cols, codes, scales, zeros, gIdx } = unpacked
  const groups = scales.length / rows
  if (codes.length !== rows * cols || zeros.length !== scales.length || gIdx.length !== cols || !Number.isInteger(groups)) return 'unpacked arrays of the wrong lengths'
  if (codes.some((code) => code >> bits !== 0)) return `a code above ${bits} bits`
  let again: GptqPackedLayer
  try {
    again = packGptqLayer(unpacked, bits, format)
  } catch (error) {
    return `unpacked a layer that packGptqLayer refuses: ${(error as Error).message}`
  }
  for (const part of PARTS) if (Buffer.compare(viewBytes(again[part].data), viewBytes(layer[part].data)) !== 0) return `${part} does not pack back to its input`
  return undefined
}

/** GPTQ checkpoint tensors: unpackGptqLayer on mutated data, shapes, bits and format. */
export const gptqTarget: FuzzTarget = {
  name: 'gptq-unpack',
  async prepare() {
    const layers = buildLayers()
    return {
      async run(rng, log): Promise<Verdict> {
        const layer = rng.pick(layers)
        const packed: GptqPackedLayer = { qweight: cloneTensor(layer.packed.qweight), qzeros: cloneTensor(layer.packed.qzeros), scales: cloneTensor(layer.packed.scales), gIdx: cloneTensor(layer.packed.gIdx) }
        let { bits, format } = layer
        const part = rng.pick(PARTS)
        const roll = rng.int(20)
        if (roll < 13) {
          const { tensor, did } = mutateData(packed[part] as PackedTensor<Int32Array>, rng)
          ;(packed[part] as PackedTensor<Int32Array>) = tensor
          log.push(`${layer.name}: ${part} data ${did}`)
        } else if (roll < 18) log.push(`${layer.name}: ${part} ${mutateShape(packed[part].shape, rng)}`)
        else if (roll < 19) {
          bits = rng.pick([0, 1, 2, 3, 4, 5, 8, 16, 2.5, Number.NaN])
          log.push(`${layer.name}: bits ${bits}`)
        } else {
          format = format === 'gptq' ? 'gptq_v2' : 'gptq'
          log.push(`${layer.name}: format ${format}`)
        }
        const problem = checkUnpacked(packed, bits, format)
        return problem ? wrong(problem) : OK
      },
    }
  },
}

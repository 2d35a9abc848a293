import { GptqError } from '../errors.js'
import type { QuantBits } from '../grid.js'
import { dequantize, type QuantCodes } from '../layer.js'
import { checkBits } from '../options.js'
import { packLanes, unpackLanes } from './bitstream.js'

/** "gptq" (v1) stores zero - 1 in qzeros, "gptq_v2" the zero itself. */
export type CheckpointFormat = 'gptq' | 'gptq_v2'

export interface PackedTensor<T> {
  data: T
  shape: number[]
}

/** One linear layer as AutoGPTQ / GPTQModel checkpoints store it. */
export interface GptqPackedLayer {
  /** int32 [in * bits / 32, out]: codes packed along the input dimension. */
  qweight: PackedTensor<Int32Array>
  /** int32 [groups, out * bits / 32]: zero points packed along the output dimension. */
  qzeros: PackedTensor<Int32Array>
  /** float16 bit patterns [groups, out]. */
  scales: PackedTensor<Uint16Array>
  /** int32 [in]: group of each input column. */
  gIdx: PackedTensor<Int32Array>
}

export function packGptqLayer(layer: QuantCodes, bits: number, format: CheckpointFormat): GptqPackedLayer {
  const b = checkBits(bits)
  const { rows: out, cols: inFeatures } = layer
  const groups = layer.scales.length / out
  checkPackable(inFeatures, out, b)
  if (
    layer.codes.length !== out * inFeatures ||
    layer.gIdx.length !== inFeatures ||
    !Number.isInteger(groups) ||
    layer.zeros.length !== layer.scales.length
  ) {
    throw new GptqError('shape-mismatch', `codes, scales, zeros and g_idx do not describe one ${out} x ${inFeatures} layer`)
  }
  const badGroup = layer.gIdx.findIndex((group) => group < 0 || group >= groups)
  if (badGroup >= 0) throw new GptqError('shape-mismatch', `g_idx[${badGroup}] = ${layer.gIdx[badGroup]} is outside the ${groups} groups`, { field: 'g_idx' })
  const maxq = (1 << b) - 1
  checkCodes(layer.codes, b)
  const offset = format === 'gptq' ? 1 : 0
  const stored = new Uint8Array(layer.zeros.length)
  for (let at = 0; at < stored.length; at++) {
    const zero = layer.zeros[at] as number
    const value = zero - offset
    if (value < 0 || value > maxq) {
      const hint = format === 'gptq' ? '; the v1 format stores zero - 1, so a zero point of 0 needs checkpoint_format "gptq_v2"' : ''
      throw new GptqError('zero-not-representable', `zero point ${zero} cannot be stored in ${b} bits${hint}`, { field: 'qzeros' })
    }
    stored[at] = value
  }
  return {
    qweight: { data: packLanes(layer.codes, out, inFeatures, b), shape: [(inFeatures * b) / 32, out] },
    qzeros: { data: packLanes(stored, 1, groups * out, b), shape: [groups, (out * b) / 32] },
    scales: { data: Uint16Array.from(layer.scales), shape: [groups, out] },
    gIdx: { data: Int32Array.from(layer.gIdx), shape: [inFeatures] },
  }
}

/** Codes, true zero points, scales and g_idx of a packed layer, after checking its shapes. */
export function unpackGptqLayer(packed: GptqPackedLayer, bits: number, format: CheckpointFormat): QuantCodes {
  const b = checkBits(bits)
  const { inFeatures, out, groups } = checkPackedShapes(packed, b)
  const codes = unpackLanes(packed.qweight.data, out, inFeatures, b)
  const offset = format === 'gptq' ? 1 : 0
  const stored = unpackLanes(packed.qzeros.data, 1, groups * out, b)
  const zeros = new Uint16Array(stored.length)
  for (let at = 0; at < stored.length; at++) zeros[at] = (stored[at] as number) + offset
  return { rows: out, cols: inFeatures, codes, scales: Uint16Array.from(packed.scales.data), zeros, gIdx: Int32Array.from(packed.gIdx.data) }
}

/** The float32 weight [out, in] a GPTQ kernel computes from the packed tensors. */
export function dequantizeGptqLayer(packed: GptqPackedLayer, bits: number, format: CheckpointFormat): Float32Array {
  return dequantize(unpackGptqLayer(packed, bits, format))
}

/**
 * Throws, naming the first, if a code does not fit in `bits`. Whether one does not is told by
 * an OR of all codes, four at a time where aligned (maxq in every byte of the mask).
 */
function checkCodes(codes: Uint8Array, bits: number): void {
  const maxq = (1 << bits) - 1
  const head = Math.min(codes.length, (4 - (codes.byteOffset & 3)) & 3)
  const quads = new Uint32Array(codes.buffer, codes.byteOffset + head, (codes.length - head) >>> 2)
  let all = 0
  for (let i = 0; i < quads.length; i++) all |= quads[i] as number
  for (let i = 0; i < head; i++) all |= codes[i] as number
  for (let i = head + 4 * quads.length; i < codes.length; i++) all |= codes[i] as number
  if ((all & ~(maxq * 0x01010101)) === 0) return
  const code = codes.find((value) => value > maxq) as number
  throw new GptqError('shape-mismatch', `code ${code} does not fit in ${bits} bits`, { field: 'codes' })
}

function checkPackable(inFeatures: number, out: number, bits: QuantBits): void {
  if ((inFeatures * bits) % 32 !== 0 || (out * bits) % 32 !== 0) {
    throw new GptqError(
      'shape-mismatch',
      `a ${out} x ${inFeatures} layer cannot be packed at ${bits} bits: in_features and out_features times bits must be multiples of 32`,
    )
  }
}

function checkPackedShapes(packed: GptqPackedLayer, bits: QuantBits): { inFeatures: number; out: number; groups: number } {
  const tensors: [string, PackedTensor<ArrayLike<number>>][] = [
    ['qweight', packed.qweight],
    ['qzeros', packed.qzeros],
    ['scales', packed.scales],
    ['g_idx', packed.gIdx],
  ]
  const shape = (tensor: PackedTensor<unknown>): string => `[${tensor.shape.join(', ')}]`
  for (const [field, tensor] of tensors) {
    const size = tensor.shape.reduce((product, dim) => product * dim, 1)
    if (tensor.shape.some((dim) => !Number.isInteger(dim) || dim < 1) || tensor.data.length !== size) {
      throw new GptqError('shape-mismatch', `${field} has shape ${shape(tensor)} but ${tensor.data.length} values`, { field })
    }
  }
  const [inFeatures = 0] = packed.gIdx.shape
  const [qweightRows = 0, out = 0] = packed.qweight.shape
  const [groups = 0, scaleCols = 0] = packed.scales.shape
  const [zeroRows = 0, zeroCols = 0] = packed.qzeros.shape
  const expect = (ok: boolean, field: string, detail: string): void => {
    if (!ok) throw new GptqError('shape-mismatch', detail, { field })
  }
  expect(packed.gIdx.shape.length === 1, 'g_idx', `g_idx must be 1-D, got ${shape(packed.gIdx)}`)
  expect(
    packed.qweight.shape.length === 2 && qweightRows * 32 === inFeatures * bits,
    'qweight',
    `qweight must be [${(inFeatures * bits) / 32}, out] for ${inFeatures} inputs at ${bits} bits, got ${shape(packed.qweight)}`,
  )
  expect(packed.scales.shape.length === 2 && scaleCols === out, 'scales', `scales must be [groups, ${out}], got ${shape(packed.scales)}`)
  expect(
    packed.qzeros.shape.length === 2 && zeroRows === groups && zeroCols * 32 === out * bits,
    'qzeros',
    `qzeros must be [${groups}, ${(out * bits) / 32}], got ${shape(packed.qzeros)}`,
  )
  const badGroup = packed.gIdx.data.findIndex((group) => group < 0 || group >= groups)
  expect(badGroup < 0, 'g_idx', `g_idx[${badGroup}] = ${packed.gIdx.data[badGroup]} is outside the ${groups} groups`)
  return { inFeatures, out, groups }
}

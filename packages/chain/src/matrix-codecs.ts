import { decode, decodeAlone, decodeAloneRows, decodeRows, encode, encodeAlone, type HalfMatrix, type Parent, type QuantLevel, type RowBand } from '@qchain/conditional'
import { packGptqLayer, type CheckpointFormat, type GptqPackedLayer } from '@qchain/gptq/pack'
import { encodeSymbols } from '@qchain/huffman'
import { decodeByteRange } from './byte-stream.js'
import { ChainError } from './errors.js'
import { GPTQ_PARTS, INT8_PARTS, type MatrixPart, type MatrixValue } from './matrix.js'

/** How one matrix of one level is stored: the codec, its section payloads (in order) and settings. */
export interface EncodedMatrix {
  codec: MatrixCodec
  sections: { role: string; bytes: Uint8Array }[]
}

export type MatrixCodec = 'half-alone' | 'half-given' | 'gptq-alone' | 'gptq-given' | 'int8-alone'

/** Codes a matrix alone (base level) or given its parent level's matrix. */
export function encodeMatrix(matrix: MatrixValue, parent: MatrixValue | undefined, where: { level: string; tensor: string }): EncodedMatrix {
  if (parent) {
    if (parent.kind === 'half') throw new ChainError('unsupported', 'a level cannot be coded given a 16-bit level', where)
    if (matrix.kind === 'int8') throw new ChainError('unsupported', 'an LLM.int8 level can only be a base level', where)
    const bytes = encode(matrix.value, parent.value as Parent)
    return { codec: matrix.kind === 'half' ? 'half-given' : 'gptq-given', sections: [{ role: 'residual', bytes }] }
  }
  if (matrix.kind === 'int8') {
    const codes = new Uint8Array(matrix.value.weight.buffer, matrix.value.weight.byteOffset, matrix.value.weight.byteLength)
    const scb = new Uint8Array(matrix.value.scb.buffer, matrix.value.scb.byteOffset, matrix.value.scb.byteLength)
    return { codec: 'int8-alone', sections: [{ role: 'codes', bytes: encodeSymbols(codes) }, { role: 'side', bytes: Uint8Array.from(scb) }] }
  }
  return { codec: matrix.kind === 'half' ? 'half-alone' : 'gptq-alone', sections: [{ role: 'payload', bytes: encodeAlone(matrix.value) }] }
}

/**
 * The inverse of encodeMatrix; `rows` and `cols` come from the index, checked against the stream.
 * `into` receives the weights (Uint16Array) or codes (Uint8Array) of the matrix, so the caller
 * owns the buffer: of the parent's elements for a level coded given it, taken by a level coded
 * alone only when it fits what its stream holds.
 * With `band`, only those rows are decoded: the parent holds them alone, and so does the value
 * returned (see RowBand); a stream that cannot be cut is refused with conditional's 'unsupported-rows'.
 */
export function decodeMatrix(codec: string, sections: readonly Uint8Array[], parent: MatrixValue | undefined, shape: { rows: number; cols: number }, where: { level: string; tensor: string }, into?: Uint16Array | Uint8Array, band?: RowBand): MatrixValue {
  const [first, second] = sections
  if (!first) throw new ChainError('corrupt', `codec ${codec} needs a section`, where)
  // rows and cols come from the index: refuse impossible ones before anything is sized from them.
  if (![shape.rows, shape.cols].every((dim) => Number.isSafeInteger(dim) && dim >= 1)) throw new ChainError('corrupt', `the index gives the matrix shape [${shape.rows}, ${shape.cols}]`, where)
  let value: MatrixValue
  switch (codec) {
    case 'half-alone':
    case 'gptq-alone': {
      const decoded = band ? decodeAloneRows(first, band, into) : decodeAlone(first, into)
      value = 'format' in decoded ? { kind: 'half', value: decoded } : { kind: 'gptq', value: decoded }
      break
    }
    case 'half-given':
    case 'gptq-given': {
      if (!parent || parent.kind === 'half') throw new ChainError('corrupt', `codec ${codec} needs a quantized parent`, where)
      const decoded = band ? decodeRows(first, parent.value as Parent, band, into) : decode(first, parent.value as Parent, into)
      value = 'format' in decoded ? { kind: 'half', value: decoded as HalfMatrix } : { kind: 'gptq', value: decoded as QuantLevel }
      break
    }
    case 'int8-alone': {
      if (!second || second.length !== shape.rows * 4) throw new ChainError('corrupt', 'the SCB section does not hold one float32 per row', where)
      const { first: from, end } = band ?? { first: 0, end: shape.rows }
      const codes = decodeByteRange(first, shape.rows * shape.cols, from * shape.cols, end * shape.cols, where, into instanceof Uint8Array ? into : undefined)
      value = { kind: 'int8', value: { rows: shape.rows, cols: shape.cols, weight: new Int8Array(codes.buffer, codes.byteOffset, codes.length), scb: new Float32Array(Uint8Array.from(second).buffer) } }
      break
    }
    default:
      throw new ChainError('unsupported', `unknown matrix codec ${JSON.stringify(codec)}`, where)
  }
  if (value.value.rows !== shape.rows || value.value.cols !== shape.cols) {
    throw new ChainError('corrupt', `the stream holds a ${value.value.rows} x ${value.value.cols} matrix, the index says ${shape.rows} x ${shape.cols}`, where)
  }
  return value
}

/** The bytes a checkpoint stores for one part of a matrix (GPTQ packing is AutoGPTQ's, so it reproduces the original). */
export function matrixPartBytes(matrix: MatrixValue, part: MatrixPart, gptq: { bits: number; format: CheckpointFormat } | undefined, where: { level?: string; tensor?: string } = {}): Uint8Array {
  const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
  // `part` comes from the index when reading: only the kind's own parts name bytes.
  const parts: readonly string[] = matrix.kind === 'gptq' ? GPTQ_PARTS : matrix.kind === 'int8' ? INT8_PARTS : ['weight']
  if (!parts.includes(part)) throw new ChainError('corrupt', `a ${matrix.kind} matrix has no part ${JSON.stringify(part)}`, where)
  switch (matrix.kind) {
    case 'half':
      return bytesOf(matrix.value.bits)
    case 'int8':
      return part === 'SCB' ? bytesOf(matrix.value.scb) : bytesOf(matrix.value.weight)
    case 'gptq': {
      const packed = packedOnce(matrix.value, gptq?.bits ?? matrix.value.bits, gptq?.format ?? 'gptq')
      const byPart = { qweight: packed.qweight.data, qzeros: packed.qzeros.data, scales: packed.scales.data, g_idx: packed.gIdx.data } as const
      return bytesOf(byPart[part as keyof typeof byPart])
    }
  }
}

/** The four parts of a matrix are asked for one after another: pack its codes once, not four times. */
const packed = new WeakMap<QuantLevel, { key: string; layer: GptqPackedLayer }>()

function packedOnce(value: QuantLevel, bits: number, format: CheckpointFormat): GptqPackedLayer {
  const key = `${bits}:${format}`
  const hit = packed.get(value)
  if (hit?.key === key) return hit.layer
  const layer = packGptqLayer(value, bits, format)
  packed.set(value, { key, layer })
  return layer
}

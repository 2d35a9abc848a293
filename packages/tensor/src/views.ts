import type { Dtype } from '@qchain/safetensors'
import { QchainError } from '@qchain/errors'
import { bf16ToF32, f16ToF32 } from './convert.js'

/** The typed array each dtype's raw bytes are viewed as (16-bit floats as their bit patterns). */
export interface DtypeArrays {
  F64: Float64Array
  F32: Float32Array
  F16: Uint16Array
  BF16: Uint16Array
  I64: BigInt64Array
  I32: Int32Array
  I16: Int16Array
  I8: Int8Array
  U8: Uint8Array
  BOOL: Uint8Array
  F8_E4M3: Uint8Array
  F8_E5M2: Uint8Array
}

const CONSTRUCTORS = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
  F8_E4M3: Uint8Array,
  F8_E5M2: Uint8Array,
} as const

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Views little-endian tensor bytes as the dtype's typed array: no copy when the bytes are
 * aligned to the element size, one aligned copy otherwise.
 */
export function typedView<D extends Dtype>(bytes: Uint8Array, dtype: D): DtypeArrays[D] {
  if (!LITTLE_ENDIAN) throw new QchainError('BIG_ENDIAN_HOST', 'qchain needs a little-endian host', {}, 'unsupported')
  const Ctor = CONSTRUCTORS[dtype] as unknown as { new (buffer: ArrayBufferLike, offset: number, length: number): DtypeArrays[D]; BYTES_PER_ELEMENT: number }
  const size = Ctor.BYTES_PER_ELEMENT
  if (bytes.length % size !== 0) {
    throw new QchainError('TENSOR_BYTES', `${bytes.length} bytes is not a whole number of ${dtype} elements`, { field: 'dtype' })
  }
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice()
  return new Ctor(aligned.buffer, aligned.byteOffset, aligned.length / size)
}

/** Decodes a floating-point tensor's bytes to float32 (float64 is narrowed). */
export function toFloat32(bytes: Uint8Array, dtype: Dtype): Float32Array {
  switch (dtype) {
    case 'F32':
      return typedView(bytes, 'F32')
    case 'F16':
      return f16ToF32(typedView(bytes, 'F16'))
    case 'BF16':
      return bf16ToF32(typedView(bytes, 'BF16'))
    case 'F64':
      return Float32Array.from(typedView(bytes, 'F64'))
    default:
      throw new QchainError('NOT_FLOAT', `dtype ${dtype} is not a floating-point type`, { field: 'dtype' }, 'unsupported')
  }
}

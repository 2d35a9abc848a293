/** Element sizes in bytes of every dtype the safetensors format defines that qchain accepts. */
export const DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const

export type Dtype = keyof typeof DTYPE_SIZES

export const DTYPES = Object.keys(DTYPE_SIZES) as Dtype[]

export function isDtype(value: string): value is Dtype {
  return Object.hasOwn(DTYPE_SIZES, value)
}

export function dtypeSize(dtype: Dtype): number {
  return DTYPE_SIZES[dtype]
}

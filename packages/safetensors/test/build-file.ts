/** Assembles safetensors bytes from a header text (taken as is) and a data section. */
export function buildFile(headerText: string, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(headerText)
  const bytes = new Uint8Array(8 + json.length + data.length)
  new DataView(bytes.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true)
  bytes.set(json, 8)
  bytes.set(data, 8 + json.length)
  return bytes
}

export function entry(dtype: string, shape: number[], begin: number, end: number): unknown {
  return { dtype, shape, data_offsets: [begin, end] }
}

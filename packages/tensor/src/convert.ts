import { bf16BitsToF32Bits, f16BitsToF32Bits, f32BitsToBf16Bits, f32BitsToF16Bits } from './half.js'

let f16Table: Uint32Array | undefined

/** All 65,536 fp16 patterns decoded once (256 KiB): a lookup beats the branches per value. */
function halfTable(): Uint32Array {
  if (!f16Table) {
    f16Table = new Uint32Array(65536)
    for (let bits = 0; bits < 65536; bits++) f16Table[bits] = f16BitsToF32Bits(bits)
  }
  return f16Table
}

export function f16ToF32(half: Uint16Array, out = new Float32Array(half.length)): Float32Array {
  const table = halfTable()
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length)
  for (let i = 0; i < half.length; i++) bits[i] = table[half[i] as number] as number
  return out
}

export function bf16ToF32(bf16: Uint16Array, out = new Float32Array(bf16.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length)
  for (let i = 0; i < bf16.length; i++) bits[i] = bf16BitsToF32Bits(bf16[i] as number)
  return out
}

export function f32ToF16(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length)
  for (let i = 0; i < values.length; i++) out[i] = f32BitsToF16Bits(bits[i] as number)
  return out
}

export function f32ToBf16(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length)
  for (let i = 0; i < values.length; i++) out[i] = f32BitsToBf16Bits(bits[i] as number)
  return out
}

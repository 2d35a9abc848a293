import { unsignedLeb, type CodeBuilder } from '@qchain/huffman'

/** The v128 value type of locals. */
export const V128 = 0x7b

/** The fixed-width SIMD opcodes the kernels use (after the 0xfd prefix). */
export const Simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  i8x16Shuffle: 0x0d,
  i16x8Splat: 0x10,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  i32x4ExtractLane: 0x1b,
  i32x4Eq: 0x37,
  i32x4LtU: 0x3a,
  f32x4Ne: 0x42,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  load32Lane: 0x56,
  load32Zero: 0x5c,
  i16x8ShrS: 0x8c,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4MinS: 0xb6,
  i32x4MinU: 0xb7,
  i32x4MaxS: 0xb8,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
  i32x4TruncSatF32x4S: 0xf8,
  f32x4ConvertI32x4S: 0xfa,
} as const

/** A SIMD opcode (lane indices or shuffle immediates, where it takes them, follow with op()). */
export function simd(b: CodeBuilder, op: number): CodeBuilder {
  return b.op(0xfd, ...unsignedLeb(op))
}

/** A v128 load or store (or load32_zero) at a constant byte offset (align hint 0: the kernels' vectors sit at any byte). */
export function simdMemory(b: CodeBuilder, op: typeof Simd.load | typeof Simd.store | typeof Simd.load32Zero, offset: number): CodeBuilder {
  return b.op(0xfd, ...unsignedLeb(op), 0, ...unsignedLeb(offset))
}

/** A v128 of four i32 lanes. */
export function i32x4Const(b: CodeBuilder, lanes: [number, number, number, number]): CodeBuilder {
  const bytes = new Uint8Array(Int32Array.from(lanes).buffer)
  return b.op(0xfd, ...unsignedLeb(Simd.const), ...bytes)
}

/** An i32 constant in every lane. */
export function i32x4Splat(b: CodeBuilder, value: number): CodeBuilder {
  return simd(b.i32(value), Simd.i32x4Splat)
}

/**
 * Pushes the vector of the i32s at `offset` + each lane of v128 local `addresses` (a gather: four
 * loads into lanes); local `into` is its scratch.
 */
export function gatherI32(b: CodeBuilder, addresses: number, offset: number, into: number): CodeBuilder {
  simdMemory(simd(b.get(addresses), Simd.i32x4ExtractLane).op(0), Simd.load32Zero, offset).set(into)
  for (let lane = 1; lane < 4; lane++) {
    simd(b.get(addresses), Simd.i32x4ExtractLane).op(lane).get(into)
    b.op(0xfd, ...unsignedLeb(Simd.load32Lane), 0, ...unsignedLeb(offset), lane).set(into)
  }
  return b.get(into)
}

/** A straight run of vector code: SIMD opcodes without immediates, i32 splats, and the scalar steps between them. */
export class Vectors {
  constructor(readonly b: CodeBuilder) {}

  ops(...codes: number[]): this {
    for (const code of codes) simd(this.b, code)
    return this
  }

  splat(value: number): this {
    i32x4Splat(this.b, value)
    return this
  }

  get(local: number): this {
    this.b.get(local)
    return this
  }

  set(local: number): this {
    this.b.set(local)
    return this
  }

  i32(value: number): this {
    this.b.i32(value)
    return this
  }
}

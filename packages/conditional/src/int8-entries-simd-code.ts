import { Op, VOID_BLOCK, type CodeBuilder } from '@qchain/huffman'
import { LAMBDA_MAX, LAMBDA_MIN, LAMBDA_SPAN } from './context.js'
import type { HalfFormat } from './half.js'
import { gatherI32, i32x4Const, Simd, simdMemory, Vectors } from './simd-code.js'

/** The quant entries kernel's i32 locals this loop reads or sets, and the first of its own v128 locals. */
export interface Int8SimdLocals {
  scales: number
  lambdas: number
  contexts: number
  table: number
  at: number
  end: number
  vectors: number
}

/** v128 locals the loop takes from `vectors` on. */
export const INT8_SIMD_VECTORS = 10

/** Bits of an f32 0.5: adding 0.5 to a magnitude below 2^-14 rounds it to fp16's subnormal step, 2^-24. */
const HALF_BITS = 0x3f000000
/** The smallest normal fp16, 2^-14, as f32 bits. */
const F16_NORMAL_BITS = 0x38800000
/** f32's exponent bias minus fp16's, at fp16's exponent field. */
const F16_REBIAS = (127 - 15) << 10
const F16_INFINITY = 0x7c00

/**
 * A mirrored LLM.int8 row's entries four codes at a time, where quant-entries-code.ts's loop
 * (the reference, same results) would go one by one: rows whose loop ends at 129 (a finite
 * scale). For magnitudes m = 1..128: fround(m * scale) rounded to the child's format, its
 * ordered value and its context, stored at code m and mirrored (ordered 0xffff - v, same
 * context) at code 256 - m. Code 128's direct entry (+128 * scale) is wrong, but its mirror,
 * stored after it, is -128's. Leaves code 0 to the scalar loop (AT = 0, END = 1).
 */
export function int8EntriesSimd(b: CodeBuilder, format: HalfFormat, at: Int8SimdLocals): void {
  const vector = (i: number) => at.vectors + i
  const [codes, values, magnitude, zero, index, gathered, scale, stepLambda, zeroLambda, ordered] = [vector(0), vector(1), vector(2), vector(3), vector(4), vector(5), vector(6), vector(7), vector(8), vector(9)]
  const v = new Vectors(b)
  b.get(at.end).i32(129).op(Op.i32Eq, Op.if, VOID_BLOCK)
  b.get(at.scales).memory(Op.f32Load, 0, 2)
  v.ops(Simd.f32x4Splat).set(scale)
  b.get(at.lambdas).memory(Op.i32Load, 0, 2)
  v.ops(Simd.i32x4Splat).set(stepLambda)
  b.get(at.lambdas).memory(Op.i32Load, 4, 2)
  v.ops(Simd.i32x4Splat).set(zeroLambda)
  i32x4Const(b, [1, 2, 3, 4]).set(codes)
  b.i32(1).set(at.at)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(at.at).i32(129).op(Op.i32GeU, Op.brIf, 1)
  v.get(codes).ops(Simd.f32x4ConvertI32x4S).get(scale).ops(Simd.f32x4Mul).set(values)
  if (format === 'f16') roundToF16(v, values, magnitude)
  else roundToBf16(v, values)
  // ordered = (h ^ 0x8000) ^ (negative ? 0x7fff : 0)
  v.get(values).splat(0x8000).ops(Simd.xor)
  v.get(values).i32(16).ops(Simd.i32x4Shl).i32(31).ops(Simd.i32x4ShrS).splat(0x7fff).ops(Simd.and, Simd.xor).set(ordered)
  // +-0 takes the zero family
  v.get(values).splat(0x7fff).ops(Simd.and).splat(0).ops(Simd.i32x4Eq).set(zero)
  contextAddresses(v, format, { values, zero, index, stepLambda, zeroLambda, contexts: at.contexts })
  b.get(ordered)
  gatherI32(b, index, 0, gathered)
  v.ops(Simd.or).set(values)
  b.get(at.table).get(at.at).i32(2).op(Op.i32Shl, Op.i32Add).get(values)
  simdMemory(b, Simd.store, 0)
  // the mirrors of m..m+3 are codes 256-m..253-m: the lanes reversed
  b.get(at.table).i32(253).get(at.at).op(Op.i32Sub).i32(2).op(Op.i32Shl, Op.i32Add)
  v.get(values).splat(0xffff).ops(Simd.xor).set(values).get(values).get(values).ops(Simd.i8x16Shuffle)
  b.op(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3)
  simdMemory(b, Simd.store, 0)
  v.get(codes).splat(4).ops(Simd.i32x4Add).set(codes)
  b.get(at.at).i32(4).op(Op.i32Add).set(at.at)
  b.op(Op.br, 0, Op.end, Op.end)
  b.i32(0).set(at.at).i32(1).set(at.end)
  b.op(Op.end)
}

/** values: f32 lanes -> their fp16 patterns (f32ToF16Bits: nearest even, overflow to Inf, subnormals); `magnitude` is scratch. */
function roundToF16(v: Vectors, values: number, magnitude: number): void {
  v.get(values)
  v.splat(0x7fffffff).ops(Simd.and).set(magnitude)
  // the sign
  v.get(values).i32(16)
  v.ops(Simd.i32x4ShrU).splat(0x8000).ops(Simd.and)
  // subnormal: bits(|x| + 0.5) - bits(0.5)
  v.get(magnitude)
  v.splat(HALF_BITS).ops(Simd.f32x4Add).splat(HALF_BITS).ops(Simd.i32x4Sub)
  // normal: ((a + 0xfff + ((a >> 13) & 1)) >> 13) - rebias, at most Inf
  v.get(magnitude)
  v.splat(0xfff).ops(Simd.i32x4Add).get(magnitude).i32(13)
  v.ops(Simd.i32x4ShrU).splat(1).ops(Simd.and, Simd.i32x4Add).i32(13)
  v.ops(Simd.i32x4ShrU).splat(F16_REBIAS).ops(Simd.i32x4Sub).splat(F16_INFINITY).ops(Simd.i32x4MinU)
  v.get(magnitude)
  v.splat(F16_NORMAL_BITS).ops(Simd.i32x4LtU, Simd.bitselect, Simd.or).set(values)
}

/** values: f32 lanes -> their bf16 patterns, (x + 0x7fff + ((x >> 16) & 1)) >> 16. */
function roundToBf16(v: Vectors, values: number): void {
  v.get(values)
  v.splat(0x7fff).ops(Simd.i32x4Add).get(values).i32(16)
  v.ops(Simd.i32x4ShrU).splat(1).ops(Simd.and, Simd.i32x4Add).i32(16)
  v.ops(Simd.i32x4ShrU).set(values)
}

interface ContextLocals {
  values: number
  zero: number
  index: number
  stepLambda: number
  zeroLambda: number
  contexts: number
}

/** index = each lane's context bits' address: its clamped lambda's in its family (quant-entries-code.ts's lambda()). */
function contextAddresses(v: Vectors, format: HalfFormat, at: ContextLocals): void {
  const [shift, mask, bias] = format === 'f16' ? [10, 0x1f, 25] : [7, 0xff, 134]
  // zero family: zeroLambda; else stepLambda - 4 * (max(field, 1) - bias)
  v.get(at.zeroLambda).get(at.stepLambda).get(at.values).i32(shift)
  v.ops(Simd.i32x4ShrU).splat(mask).ops(Simd.and).splat(1).ops(Simd.i32x4MaxS).splat(bias).ops(Simd.i32x4Sub).i32(2)
  v.ops(Simd.i32x4Shl, Simd.i32x4Sub).get(at.zero)
  v.ops(Simd.bitselect).splat(LAMBDA_MAX).ops(Simd.i32x4MinS).splat(LAMBDA_MIN).ops(Simd.i32x4MaxS)
  // CONTEXTS + 4 * (lambda - LAMBDA_MIN + (zero ? LAMBDA_SPAN : 0))
  v.splat(LAMBDA_MIN).ops(Simd.i32x4Sub).get(at.zero)
  v.splat(LAMBDA_SPAN).ops(Simd.and, Simd.i32x4Add).i32(2)
  v.ops(Simd.i32x4Shl).get(at.contexts)
  v.ops(Simd.i32x4Splat, Simd.i32x4Add).set(at.index)
}

import { Op, VOID_BLOCK, type CodeBuilder } from '@qchain/huffman'
import { LAMBDA_MAX, LAMBDA_MIN, LAMBDA_SPAN } from './context.js'
import type { HalfFormat } from './half.js'
import { gatherI32, i32x4Const, Simd, simdMemory, Vectors } from './simd-code.js'

/** The quant entries kernel's locals these loops read or set (i32s), and the first of their own v128 locals. */
export interface QuantSimdLocals {
  scales: number
  zeros: number
  lambdas: number
  contexts: number
  table: number
  bits: number
  signShift: number
  whole: number
  at: number
  end: number
  /** An i32 of the loops' own. */
  step: number
  vectors: number
}

/** v128 locals the loops take from `vectors` on. */
export const QUANT_SIMD_VECTORS = 11

/** Bits of an f32 0.5: adding 0.5 to a magnitude below 2^-14 rounds it to fp16's subnormal step, 2^-24. */
const HALF_BITS = 0x3f000000
/** The smallest normal fp16, 2^-14, as f32 bits. */
const F16_NORMAL_BITS = 0x38800000
/** f32's exponent bias minus fp16's, at fp16's exponent field. */
const F16_REBIAS = (127 - 15) << 10
const F16_INFINITY = 0x7c00
/** What a NaN prediction is taken as: +Inf. */
export const PLUS_INFINITY_BITS = 0x7f800000

/** The loops' v128 locals, by role. */
interface VectorLocals {
  codes: number
  values: number
  magnitude: number
  zero: number
  index: number
  gathered: number
  scale: number
  stepLambda: number
  zeroLambda: number
  ordered: number
  offset: number
}

const vectorsOf = (first: number): VectorLocals => {
  const [codes, values, magnitude, zero, index, gathered, scale, stepLambda, zeroLambda, ordered, offset] = Array.from({ length: QUANT_SIMD_VECTORS }, (_, i) => first + i) as [number, number, number, number, number, number, number, number, number, number, number]
  return { codes, values, magnitude, zero, index, gathered, scale, stepLambda, zeroLambda, ordered, offset }
}

/**
 * Row entries four codes at a time where quant-entries-code.ts's loop (the reference, same
 * results) would go one by one. Mirrored LLM.int8 rows (that loop ends at 129: a finite scale):
 * magnitudes m = 1..128, stored at code m and mirrored (ordered 0xffff - v, same context) at
 * code 256 - m; code 128's direct entry (+128 * scale) is wrong, but its mirror, stored after it,
 * is -128's; code 0 is left to the scalar loop (AT = 0, END = 1). Other rows computed whole
 * (END = WHOLE): every group's every code, and nothing left to the scalar loop (END = 0). Rows
 * whose entries are found by stamps (WHOLE = 0), and 1-bit levels (groups of 2 codes), are left
 * to that loop.
 */
export function quantEntriesSimd(b: CodeBuilder, format: HalfFormat, at: QuantSimdLocals): void {
  const vs = vectorsOf(at.vectors)
  const v = new Vectors(b)
  // whole tables of groups of at least 4 codes (1-bit levels stay with the scalar loop)
  b.get(at.whole).i32(0).op(Op.i32Ne).get(at.bits).i32(2).op(Op.i32GeU, Op.i32And, Op.if, VOID_BLOCK)
  b.get(at.end).i32(129).op(Op.i32Eq, Op.if, VOID_BLOCK)
  groupVectors(v, at, vs, () => b.i32(0))
  i32x4Const(b, [1, 2, 3, 4]).set(vs.codes)
  b.i32(1).set(at.at)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(at.at).i32(129).op(Op.i32GeU, Op.brIf, 1)
  v.get(vs.codes).ops(Simd.f32x4ConvertI32x4S).get(vs.scale).ops(Simd.f32x4Mul).set(vs.values)
  entriesOfFour(v, format, at, vs)
  b.get(at.table).get(at.at).i32(2).op(Op.i32Shl, Op.i32Add).get(vs.values)
  simdMemory(b, Simd.store, 0)
  // the mirrors of m..m+3 are codes 256-m..253-m: the lanes reversed
  b.get(at.table).i32(253).get(at.at).op(Op.i32Sub).i32(2).op(Op.i32Shl, Op.i32Add)
  v.get(vs.values).splat(0xffff).ops(Simd.xor).set(vs.values).get(vs.values).get(vs.values).ops(Simd.i8x16Shuffle)
  b.op(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3)
  simdMemory(b, Simd.store, 0)
  v.get(vs.codes).splat(4).ops(Simd.i32x4Add).set(vs.codes)
  b.get(at.at).i32(4).op(Op.i32Add).set(at.at)
  b.op(Op.br, 0, Op.end, Op.end)
  b.i32(0).set(at.at).i32(1).set(at.end)
  b.op(Op.else)
  wholeTable(b, v, format, at, vs)
  b.op(Op.end, Op.end)
}

/**
 * A whole table (END = WHOLE), group by group (AT its first entry, STEP the code within it):
 * code q of a group is value fround(scale * (q - zero)), q sign-extended by SIGN_SHIFT. A
 * symmetric group (zero = 2^(BITS-1) = z, finite scale) computes codes z..2z-1 and mirrors
 * them to z-1..1 (z - m predicts exactly -(z + m)'s value: ordered 0xffff - v, same context),
 * each mirror stored before its direct entry so that code z keeps its own; codes 0..3 are then
 * computed directly, which gives code 0 (-z * scale). Half the work on GPTQ's symmetric levels.
 */
function wholeTable(b: CodeBuilder, v: Vectors, format: HalfFormat, at: QuantSimdLocals, vs: VectorLocals): void {
  const groupCodes = () => b.i32(1).get(at.bits).op(Op.i32Shl)
  const half = () => b.i32(1).get(at.bits).i32(1).op(Op.i32Sub, Op.i32Shl)
  const storeAt = (entry: () => void) => {
    b.get(at.table)
    entry()
    b.i32(2).op(Op.i32Shl, Op.i32Add)
  }
  b.i32(0).set(at.at)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(at.at).get(at.whole).op(Op.i32GeU, Op.brIf, 1)
  groupVectors(v, at, vs, () => b.get(at.at).get(at.bits).op(Op.i32ShrU).i32(2).op(Op.i32Shl))
  i32x4Const(b, [0, 1, 2, 3]).set(vs.codes)
  // symmetric: zero = z, z >= 4 (whole vectors on both sides) and |scale| below Inf
  b.get(at.zeros).get(at.at).get(at.bits).op(Op.i32ShrU).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2)
  half()
  b.op(Op.i32Eq).get(at.bits).i32(3).op(Op.i32GeU, Op.i32And)
  b.get(at.scales).get(at.at).get(at.bits).op(Op.i32ShrU).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).i32(0x7fffffff).op(Op.i32And).i32(PLUS_INFINITY_BITS).op(Op.i32LtU, Op.i32And)
  b.op(Op.if, VOID_BLOCK)
  {
    codeLoop(b, v, at, vs, half, () => {
      v.get(vs.codes).ops(Simd.f32x4ConvertI32x4S).get(vs.scale).ops(Simd.f32x4Mul).set(vs.values)
      entriesOfFour(v, format, at, vs)
      // mirrors of z+m..z+m+3 at z-m-3..z-m, lanes reversed; then the direct entries
      storeAt(() => {
        b.get(at.at)
        half()
        b.op(Op.i32Add).get(at.step).op(Op.i32Sub).i32(3).op(Op.i32Sub)
      })
      v.get(vs.values).splat(0xffff).ops(Simd.xor).set(vs.gathered).get(vs.gathered).get(vs.gathered).ops(Simd.i8x16Shuffle)
      b.op(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3)
      simdMemory(b, Simd.store, 0)
      storeAt(() => {
        b.get(at.at)
        half()
        b.op(Op.i32Add).get(at.step).op(Op.i32Add)
      })
      simdMemory(b.get(vs.values), Simd.store, 0)
    })
    i32x4Const(b, [0, 1, 2, 3]).set(vs.codes)
    codeLoop(b, v, at, vs, () => b.i32(4), () => directFour(b, v, format, at, vs, storeAt))
  }
  b.op(Op.else)
  codeLoop(b, v, at, vs, groupCodes, () => directFour(b, v, format, at, vs, storeAt))
  b.op(Op.end)
  b.get(at.at)
  groupCodes()
  b.op(Op.i32Add).set(at.at)
  b.op(Op.br, 0, Op.end, Op.end)
  b.i32(0).set(at.end)
}

/** STEP = 0, 4, ... while below what `count` pushes; `body` takes the code vector at STEP..STEP+3, which then advances by 4. */
function codeLoop(b: CodeBuilder, v: Vectors, at: QuantSimdLocals, vs: VectorLocals, count: () => void, body: () => void): void {
  b.i32(0).set(at.step)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(at.step)
  count()
  b.op(Op.i32GeU, Op.brIf, 1)
  body()
  v.get(vs.codes).splat(4).ops(Simd.i32x4Add).set(vs.codes)
  b.get(at.step).i32(4).op(Op.i32Add).set(at.step)
  b.op(Op.br, 0, Op.end, Op.end)
}

/** Codes STEP..STEP+3 of the group at AT, computed directly and stored at AT + STEP. */
function directFour(b: CodeBuilder, v: Vectors, format: HalfFormat, at: QuantSimdLocals, vs: VectorLocals, storeAt: (entry: () => void) => void): void {
  v.get(vs.codes).get(at.signShift).ops(Simd.i32x4Shl).get(at.signShift).ops(Simd.i32x4ShrS).get(vs.offset).ops(Simd.i32x4Sub)
  v.ops(Simd.f32x4ConvertI32x4S).get(vs.scale).ops(Simd.f32x4Mul).set(vs.values)
  entriesOfFour(v, format, at, vs)
  storeAt(() => b.get(at.at).get(at.step).op(Op.i32Add))
  simdMemory(b.get(vs.values), Simd.store, 0)
}

/** The group's scale, zero point and lambdas in every lane; `group4` pushes 4 * its index. */
function groupVectors(v: Vectors, at: QuantSimdLocals, vs: VectorLocals, group4: () => void): void {
  const { b } = v
  b.get(at.scales)
  group4()
  b.op(Op.i32Add).memory(Op.f32Load, 0, 2)
  v.ops(Simd.f32x4Splat).set(vs.scale)
  b.get(at.zeros)
  group4()
  b.op(Op.i32Add).memory(Op.i32Load, 0, 2)
  v.ops(Simd.i32x4Splat).set(vs.offset)
  for (const [field, local] of [[0, vs.stepLambda], [4, vs.zeroLambda]] as const) {
    b.get(at.lambdas)
    group4()
    b.i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, field, 2)
    v.ops(Simd.i32x4Splat).set(local)
  }
}

/**
 * vs.values: four f32 predictions -> their entries: NaN taken as +Inf, rounded to the child's
 * format, the ordered integer, OR its context bits (quant-entries-code.ts's body).
 */
function entriesOfFour(v: Vectors, format: HalfFormat, at: QuantSimdLocals, vs: VectorLocals): void {
  const { b } = v
  const { values, magnitude, zero, index, gathered, stepLambda, zeroLambda, ordered } = vs
  v.splat(PLUS_INFINITY_BITS).get(values).get(values).get(values).ops(Simd.f32x4Ne, Simd.bitselect).set(values)
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

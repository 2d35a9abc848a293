import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'
import { LAMBDA_MAX, LAMBDA_MIN, LAMBDA_SPAN } from './context.js'
import type { HalfFormat } from './half.js'

import { BITS, ENTRY_PARAMS, entryLocals, forRowEntries, STAMPS, TABLE, TAG, WHOLE } from './entry-loop-code.js'
import { PLUS_INFINITY_BITS, QUANT_SIMD_VECTORS, quantEntriesSimd } from './quant-entries-simd-code.js'
import { V128 } from './simd-code.js'

// Parameters after the common ones (byte addresses), then locals, by index.
const SCALES = ENTRY_PARAMS // per group, the row's scale (f32)
const ZEROS = ENTRY_PARAMS + 1 // per group, the row's zero point (i32)
const LAMBDAS = ENTRY_PARAMS + 2 // per group, stepLambda and zeroLambda (i32 pairs)
const CONTEXTS = ENTRY_PARAMS + 3 // entry bits 16.. by family and lambda (i32, see contextBitsTable)
const SIGN_SHIFT = ENTRY_PARAMS + 4 // 24 for LLM.int8 codes (two's complement bytes), 0 for GPTQ codes
const PARAMS = ENTRY_PARAMS + 5
const LOOP = entryLocals(PARAMS)
const { q: Q, at: AT } = LOOP
const G = AT + 1 // group * 4
const VALUE_BITS = G + 1 // the float32 prediction's bits
const H = G + 2 // the prediction rounded to the child's format
const EXPONENT = G + 3
const KEPT = G + 4
const REST = G + 5
const HALF = G + 6
const LAMBDA = G + 7
const FAMILY = G + 8 // the family's first byte in CONTEXTS
const ENTRY = G + 9
const MIRROR = G + 10 // the mirror code, then its entry's index
const END = G + 11 // the whole table's loop end: 129 where int8 codes mirror, else WHOLE
const VALUE = G + 12 // f32
const VECTORS = G + 13 // quantEntriesSimd's v128s

const i32s = (n: number) => new Array<number>(n).fill(Type.i32)

/**
 * A GPTQ or LLM.int8 parent's row entries for a 16-bit child, as half-predictor.ts's
 * quantPredictor, int8Predictor and halfEntry compute them (the reference): for each element
 * whose (group, code) entry the row needs (forRowEntries), fround(scale * (q - zero)), q
 * sign-extended from a byte for int8 (zero 0) (NaN taken as +Inf; the f32 product of two
 * exact operands is the correctly rounded one, as fround of the exact double product), rounded
 * to fp16 or bf16, mapped to its ordered integer, with its bin width's context bits from
 * CONTEXTS.
 */
export function quantEntriesFunction(name: string, format: HalfFormat): WasmFunction {
  const b = new CodeBuilder()
  // an int8 row of finite step (no NaN value) computes codes 0..128 only: -q mirrors q
  b.i32(129).get(WHOLE).get(SIGN_SHIFT).i32(0).op(Op.i32Ne).get(SCALES).memory(Op.i32Load, 0, 2).i32(0x7fffffff).op(Op.i32And).i32(PLUS_INFINITY_BITS).op(Op.i32LtU, Op.i32And, Op.select).set(END)
  quantEntriesSimd(b, format, { scales: SCALES, zeros: ZEROS, lambdas: LAMBDAS, contexts: CONTEXTS, table: TABLE, bits: BITS, signShift: SIGN_SHIFT, whole: WHOLE, at: AT, end: END, step: VECTORS + QUANT_SIMD_VECTORS, vectors: VECTORS })
  forRowEntries(b, LOOP, () => {
    b.get(AT).get(BITS).op(Op.i32ShrU).i32(2).op(Op.i32Shl).set(G)
    b.get(SCALES).get(G).op(Op.i32Add).memory(Op.f32Load, 0, 2)
    b.get(Q).get(SIGN_SHIFT).op(Op.i32Shl).get(SIGN_SHIFT).op(Op.i32ShrS)
    b.get(ZEROS).get(G).op(Op.i32Add).memory(Op.i32Load, 0, 2).op(Op.i32Sub, Op.f32ConvertI32S, Op.f32Mul).set(VALUE)
    b.i32(PLUS_INFINITY_BITS).get(VALUE).op(Op.i32ReinterpretF32).get(VALUE).get(VALUE).op(Op.f32Ne, Op.select).set(VALUE_BITS)
    if (format === 'f16') roundToF16(b)
    else b.get(VALUE_BITS).i32(0x7fff).op(Op.i32Add).get(VALUE_BITS).i32(16).op(Op.i32ShrU).i32(1).op(Op.i32And, Op.i32Add).i32(16).op(Op.i32ShrU).set(H)
    lambda(b, format)
    // entry = ordered(h) | CONTEXTS[family][clamped lambda]
    b.get(TABLE).get(AT).i32(2).op(Op.i32Shl, Op.i32Add)
    b.get(H).i32(0x8000).op(Op.i32Xor).get(H).i32(16).op(Op.i32Shl).i32(31).op(Op.i32ShrS).i32(0x7fff).op(Op.i32And, Op.i32Xor)
    b.i32(LAMBDA_MIN).get(LAMBDA).get(LAMBDA).i32(LAMBDA_MIN).op(Op.i32LtS, Op.select).set(LAMBDA)
    b.i32(LAMBDA_MAX).get(LAMBDA).get(LAMBDA).i32(LAMBDA_MAX).op(Op.i32GtS, Op.select).set(LAMBDA)
    b.get(CONTEXTS).get(FAMILY).op(Op.i32Add).get(LAMBDA).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, -4 * LAMBDA_MIN, 2).op(Op.i32Or).tee(ENTRY)
    b.memory(Op.i32Store, 0, 2)
  }, () => mirror(b), { end: END, after: () => signedMirror(b) })
  return { name, params: i32s(PARAMS), locals: [...i32s(15), Type.f32, ...new Array<number>(QUANT_SIMD_VECTORS).fill(V128), Type.i32], code: b.code }
}

/**
 * Also fills the entry of the mirror code 2 * zero - q, if it is another code: its value is
 * exactly the negation (f32 products and both roundings are symmetric), so its entry has the
 * same context and the mirrored ordered value 0xffff - v (ENTRY ^ 0xffff), as in the int8
 * predictor. Not for a NaN value, which predicts +Inf whatever the sign. With weights spread
 * evenly around zero, many of a row's entries come this way, for two stores each.
 */
function mirror(b: CodeBuilder): void {
  b.get(ZEROS).get(G).op(Op.i32Add).memory(Op.i32Load, 0, 2).i32(1).op(Op.i32Shl).get(Q).op(Op.i32Sub).tee(MIRROR)
  b.i32(1).get(BITS).op(Op.i32Shl).op(Op.i32LtU).get(MIRROR).get(Q).op(Op.i32Ne, Op.i32And).get(VALUE).get(VALUE).op(Op.f32Eq, Op.i32And, Op.if, VOID_BLOCK)
  b.get(AT).get(MIRROR).op(Op.i32Add).get(Q).op(Op.i32Sub).i32(2).op(Op.i32Shl).set(MIRROR)
  b.get(STAMPS).get(MIRROR).op(Op.i32Add).get(TAG).memory(Op.i32Store, 0, 2)
  b.get(TABLE).get(MIRROR).op(Op.i32Add).get(ENTRY).i32(0xffff).op(Op.i32Xor).memory(Op.i32Store, 0, 2)
  b.op(Op.end)
}

/**
 * In a mirrored int8 row (END below WHOLE), also fills code -q's entry from q's for q in
 * 1..127, as int8Predictor's prepare does: the same context and the ordered value 0xffff - v.
 */
function signedMirror(b: CodeBuilder): void {
  b.get(END).get(WHOLE).op(Op.i32Ne).get(Q).i32(1).op(Op.i32Sub).i32(127).op(Op.i32LtU, Op.i32And, Op.if, VOID_BLOCK)
  b.get(TABLE).get(AT).i32(256).op(Op.i32Add).get(Q).i32(1).op(Op.i32Shl, Op.i32Sub).i32(2).op(Op.i32Shl, Op.i32Add)
  b.get(ENTRY).i32(0xffff).op(Op.i32Xor).memory(Op.i32Store, 0, 2)
  b.op(Op.end)
}

/** H = half.ts's f32ToF16Bits(VALUE_BITS): nearest even, overflow to Inf, subnormals, underflow to +-0. */
function roundToF16(b: CodeBuilder): void {
  b.get(VALUE_BITS).i32(23).op(Op.i32ShrU).i32(0xff).op(Op.i32And).i32(112).op(Op.i32Sub).set(EXPONENT)
  // H = sign for now; the magnitude is added below
  b.get(VALUE_BITS).i32(16).op(Op.i32ShrU).i32(0x8000).op(Op.i32And).set(H)
  b.get(EXPONENT).i32(0x1f).op(Op.i32GeS, Op.if, VOID_BLOCK)
  b.get(H).i32(0x7c00).op(Op.i32Or).set(H)
  b.op(Op.else)
  b.get(EXPONENT).i32(0).op(Op.i32LeS, Op.if, VOID_BLOCK)
  {
    b.get(EXPONENT).i32(-10).op(Op.i32GeS, Op.if, VOID_BLOCK)
    roundShift(b, () => b.get(VALUE_BITS).i32(0x7fffff).op(Op.i32And).i32(0x800000).op(Op.i32Or), () => b.i32(14).get(EXPONENT).op(Op.i32Sub))
    b.get(H).get(KEPT).op(Op.i32Or).set(H)
    b.op(Op.end)
  }
  b.op(Op.else)
  roundShift(b, () => b.get(VALUE_BITS).i32(0x7fffff).op(Op.i32And), () => b.i32(13))
  // a carry out of the mantissa correctly bumps the exponent
  b.get(H).get(EXPONENT).i32(10).op(Op.i32Shl).get(KEPT).op(Op.i32Add, Op.i32Or).set(H)
  b.op(Op.end, Op.end)
}

/** KEPT = value >> shift, rounded to nearest with ties to even (shift >= 1). */
function roundShift(b: CodeBuilder, value: () => void, shift: () => void): void {
  value()
  b.set(REST)
  shift()
  b.set(HALF) // the shift, for now
  b.get(REST).get(HALF).op(Op.i32ShrU).set(KEPT)
  b.get(REST).i32(1).get(HALF).op(Op.i32Shl).i32(1).op(Op.i32Sub, Op.i32And).set(REST)
  b.i32(1).get(HALF).i32(1).op(Op.i32Sub, Op.i32Shl).set(HALF)
  // kept + (rest > half || (rest == half && kept is odd))
  b.get(KEPT).get(REST).get(HALF).op(Op.i32GtU).get(REST).get(HALF).op(Op.i32Eq).get(KEPT).i32(1).op(Op.i32And, Op.i32And, Op.i32Or, Op.i32Add).set(KEPT)
}

/** LAMBDA and FAMILY: the zero family's width for +-0, else the bin width in ulps of H. */
function lambda(b: CodeBuilder, format: HalfFormat): void {
  b.get(H).i32(0x7fff).op(Op.i32And, Op.i32Eqz, Op.if, VOID_BLOCK)
  b.get(LAMBDAS).get(G).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 4, 2).set(LAMBDA)
  b.i32(4 * LAMBDA_SPAN).set(FAMILY)
  b.op(Op.else)
  // ulp exponent: max(field, 1) - (25 for fp16, 134 for bf16)
  const [shift, mask, bias] = format === 'f16' ? [10, 0x1f, 25] : [7, 0xff, 134]
  b.get(H).i32(shift).op(Op.i32ShrU).i32(mask).op(Op.i32And).set(EXPONENT)
  b.i32(1).get(EXPONENT).get(EXPONENT).op(Op.i32Eqz, Op.select).i32(bias).op(Op.i32Sub).set(EXPONENT)
  b.get(LAMBDAS).get(G).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).get(EXPONENT).i32(2).op(Op.i32Shl, Op.i32Sub).set(LAMBDA)
  b.i32(0).set(FAMILY)
  b.op(Op.end)
}

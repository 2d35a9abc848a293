import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'
import { FAMILY_CONTEXTS, HIGH_BITS, LAMBDA_MAX, LAMBDA_MIN, NARROW_CONTEXTS } from './context.js'
import type { HalfFormat } from './half.js'

// Parameters (byte addresses unless said), then locals, by index.
const CODES = 0 // the row's parent codes (8-bit)
const COUNT = 1 // elements in the row
const COLUMN_BASE = 2 // per column, group * 2^bits (i32)
const GROUP_OF = 3 // per column, its group (i32)
const SCALES = 4 // per group, the row's scale (f32)
const ZEROS = 5 // per group, the row's zero point (i32)
const LAMBDAS = 6 // per group, stepLambda and zeroLambda (i32 pairs)
const STAMPS = 7 // per table entry, the tag of the row that computed it (i32)
const TAG = 8 // this row's tag (row + 1), a value
const TABLE = 9 // the entries (i32)
const MAP = 10 // per context id, its table number (8-bit)
const J = 11
const Q = 12
const AT = 13
const G = 14 // group * 4
const BITS = 15 // the float32 prediction's bits
const H = 16 // the prediction rounded to the child's format
const EXPONENT = 17
const KEPT = 18
const REST = 19
const HALF = 20
const LAMBDA = 21
const FAMILY = 22
const CONTEXT = 23
const VALUE = 24 // f32

const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
const PLUS_INFINITY_BITS = 0x7f800000

/**
 * A GPTQ parent's row entries for a 16-bit child, as half-predictor.ts's quantPredictor and
 * halfEntry compute them (the reference): for each element whose (group, code) entry the row
 * has not computed yet, fround(scale * (q - zero)) (NaN taken as +Inf; the f32 product of two
 * exact operands is the correctly rounded one, as fround of the exact double product), rounded
 * to fp16 or bf16, mapped to its ordered integer, with its bin width's context, whose table
 * number MAP gives.
 */
export function quantEntriesFunction(name: string, format: HalfFormat): WasmFunction {
  const b = new CodeBuilder()
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(J).get(COUNT).op(Op.i32GeU, Op.brIf, 1)
  b.get(CODES).get(J).op(Op.i32Add).memory(Op.i32Load8U).set(Q)
  b.get(COLUMN_BASE).get(J).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).get(Q).op(Op.i32Add).set(AT)
  b.get(STAMPS).get(AT).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).get(TAG).op(Op.i32Ne, Op.if, VOID_BLOCK)
  {
    b.get(STAMPS).get(AT).i32(2).op(Op.i32Shl, Op.i32Add).get(TAG).memory(Op.i32Store, 0, 2)
    b.get(GROUP_OF).get(J).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).i32(2).op(Op.i32Shl).set(G)
    b.get(SCALES).get(G).op(Op.i32Add).memory(Op.f32Load, 0, 2)
    b.get(Q).get(ZEROS).get(G).op(Op.i32Add).memory(Op.i32Load, 0, 2).op(Op.i32Sub, Op.f32ConvertI32S, Op.f32Mul).set(VALUE)
    b.i32(PLUS_INFINITY_BITS).get(VALUE).op(Op.i32ReinterpretF32).get(VALUE).get(VALUE).op(Op.f32Ne, Op.select).set(BITS)
    if (format === 'f16') roundToF16(b)
    else b.get(BITS).i32(0x7fff).op(Op.i32Add).get(BITS).i32(16).op(Op.i32ShrU).i32(1).op(Op.i32And, Op.i32Add).i32(16).op(Op.i32ShrU).set(H)
    lambda(b, format)
    contextOf(b)
    // entry = ordered(h) | (k << 22) | (MAP[context id] << 16)
    b.get(TABLE).get(AT).i32(2).op(Op.i32Shl, Op.i32Add)
    b.get(H).i32(0x8000).op(Op.i32Xor).get(H).i32(16).op(Op.i32Shl).i32(31).op(Op.i32ShrS).i32(0x7fff).op(Op.i32And, Op.i32Xor)
    b.get(CONTEXT).i32(6).op(Op.i32ShrU).i32(22).op(Op.i32Shl, Op.i32Or)
    b.get(MAP).get(CONTEXT).i32(63).op(Op.i32And, Op.i32Add).memory(Op.i32Load8U).i32(16).op(Op.i32Shl, Op.i32Or)
    b.memory(Op.i32Store, 0, 2)
  }
  b.op(Op.end)
  b.get(J).i32(1).op(Op.i32Add).set(J)
  b.op(Op.br, 0, Op.end, Op.end)
  return { name, params: i32s(11), locals: [...i32s(13), Type.f32], code: b.code }
}

/** H = half.ts's f32ToF16Bits(BITS): nearest even, overflow to Inf, subnormals, underflow to +-0. */
function roundToF16(b: CodeBuilder): void {
  b.get(BITS).i32(23).op(Op.i32ShrU).i32(0xff).op(Op.i32And).i32(112).op(Op.i32Sub).set(EXPONENT)
  // H = sign for now; the magnitude is added below
  b.get(BITS).i32(16).op(Op.i32ShrU).i32(0x8000).op(Op.i32And).set(H)
  b.get(EXPONENT).i32(0x1f).op(Op.i32GeS, Op.if, VOID_BLOCK)
  b.get(H).i32(0x7c00).op(Op.i32Or).set(H)
  b.op(Op.else)
  b.get(EXPONENT).i32(0).op(Op.i32LeS, Op.if, VOID_BLOCK)
  {
    b.get(EXPONENT).i32(-10).op(Op.i32GeS, Op.if, VOID_BLOCK)
    roundShift(b, () => b.get(BITS).i32(0x7fffff).op(Op.i32And).i32(0x800000).op(Op.i32Or), () => b.i32(14).get(EXPONENT).op(Op.i32Sub))
    b.get(H).get(KEPT).op(Op.i32Or).set(H)
    b.op(Op.end)
  }
  b.op(Op.else)
  roundShift(b, () => b.get(BITS).i32(0x7fffff).op(Op.i32And), () => b.i32(13))
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
  b.i32(FAMILY_CONTEXTS).set(FAMILY)
  b.op(Op.else)
  // ulp exponent: max(field, 1) - (25 for fp16, 134 for bf16)
  const [shift, mask, bias] = format === 'f16' ? [10, 0x1f, 25] : [7, 0xff, 134]
  b.get(H).i32(shift).op(Op.i32ShrU).i32(mask).op(Op.i32And).set(EXPONENT)
  b.i32(1).get(EXPONENT).get(EXPONENT).op(Op.i32Eqz, Op.select).i32(bias).op(Op.i32Sub).set(EXPONENT)
  b.get(LAMBDAS).get(G).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).get(EXPONENT).i32(2).op(Op.i32Shl, Op.i32Sub).set(LAMBDA)
  b.i32(0).set(FAMILY)
  b.op(Op.end)
}

/** CONTEXT = context.ts's contextOf(LAMBDA, FAMILY is the zero family's): id | k << 6. */
function contextOf(b: CodeBuilder): void {
  b.i32(LAMBDA_MIN).get(LAMBDA).get(LAMBDA).i32(LAMBDA_MIN).op(Op.i32LtS, Op.select).set(LAMBDA)
  b.i32(LAMBDA_MAX).get(LAMBDA).get(LAMBDA).i32(LAMBDA_MAX).op(Op.i32GtS, Op.select).set(LAMBDA)
  // k = (lambda >> 2) - HIGH_BITS, kept in REST
  b.get(LAMBDA).i32(2).op(Op.i32ShrS).i32(HIGH_BITS).op(Op.i32Sub).tee(REST)
  b.i32(0).op(Op.i32LeS, Op.if, Type.i32)
  b.get(FAMILY).get(LAMBDA).op(Op.i32Add).i32(-LAMBDA_MIN).op(Op.i32Add)
  b.op(Op.else)
  b.get(REST).i32(6).op(Op.i32Shl).get(FAMILY).i32(NARROW_CONTEXTS).op(Op.i32Add).get(LAMBDA).i32(3).op(Op.i32And, Op.i32Add, Op.i32Or)
  b.op(Op.end).set(CONTEXT)
}

import { CodeBuilder, Op, Type, type WasmFunction } from '@qchain/huffman'
import { BITS, ENTRY_PARAMS, entryLocals, forRowEntries, TABLE } from './entry-loop-code.js'

// Parameters after the common ones, then locals, by index.
const PAIRS = ENTRY_PARAMS // per group pair, a PAIR_RECORD_BYTES record (see code-predictor.ts)
const MAX_CODE = ENTRY_PARAMS + 1 // the child's largest code, a value
const PARAMS = ENTRY_PARAMS + 2
const LOOP = entryLocals(PARAMS)
const { q: Q, at: AT } = LOOP
const RECORD = AT + 1
const ROUNDED = RECORD + 1
const POSITION = RECORD + 2 // f64

/** Bytes of one group pair's record: f64 parent scale, f64 child scale, i32 parent zero, child zero, context bits. */
export const PAIR_RECORD_BYTES = 32
const PAIR_RECORD_SHIFT = 5

/**
 * A GPTQ parent's row entries for a GPTQ child, as code-predictor.ts's prepare computes them
 * (the reference): for each entry the row needs (forRowEntries), the position
 * s_p * (q - z_p) / s_c + z_c in f64 (the same IEEE operations as the reference's doubles),
 * clamped to 0..maxCode (NaN to 0), rounded half up like Math.round, or'ed with the pair's
 * context bits.
 */
export function codeEntriesFunction(name: string): WasmFunction {
  const b = new CodeBuilder()
  forRowEntries(b, LOOP, () => {
    b.get(PAIRS).get(AT).get(BITS).op(Op.i32ShrU).i32(PAIR_RECORD_SHIFT).op(Op.i32Shl, Op.i32Add).set(RECORD)
    b.get(RECORD).memory(Op.f64Load, 0, 3)
    b.get(Q).get(RECORD).memory(Op.i32Load, 16, 2).op(Op.i32Sub, Op.f64ConvertI32S, Op.f64Mul)
    b.get(RECORD).memory(Op.f64Load, 8, 3).op(Op.f64Div)
    b.get(RECORD).memory(Op.i32Load, 20, 2).op(Op.f64ConvertI32S, Op.f64Add).set(POSITION)
    // min(position, maxCode), or 0 for negatives and NaN
    b.get(POSITION).get(MAX_CODE).op(Op.f64ConvertI32S, Op.f64Min).i32(0).op(Op.f64ConvertI32S).get(POSITION).i32(0).op(Op.f64ConvertI32S, Op.f64Ge, Op.select).set(POSITION)
    // Math.round: ceil(x), less one when ceil(x) - x > 1/2, i.e. 2 ceil(x) - 1 > 2x (both exact)
    b.get(POSITION).op(Op.f64Ceil, Op.i32TruncF64S).tee(ROUNDED)
    b.get(ROUNDED).i32(1).op(Op.i32Shl).i32(1).op(Op.i32Sub, Op.f64ConvertI32S).get(POSITION).get(POSITION).op(Op.f64Add, Op.f64Gt, Op.i32Sub).set(ROUNDED)
    b.get(TABLE).get(AT).i32(2).op(Op.i32Shl, Op.i32Add)
    b.get(ROUNDED).get(RECORD).memory(Op.i32Load, 24, 2).op(Op.i32Or)
    b.memory(Op.i32Store, 0, 2)
  })
  const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
  return { name, params: i32s(PARAMS), locals: [...i32s(5), Type.f64], code: b.code }
}

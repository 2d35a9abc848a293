import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'
import { CONTEXT_COUNT } from './context.js'
import { takeCursors } from './cursor-code.js'
import { ALPHABET } from './table-plan.js'
import type { TableIndexing } from './half-predictor.js'

const i32s = (n: number) => new Array<number>(n).fill(Type.i32)

/** Bytes of one histogram lane (CONTEXT_COUNT x ALPHABET counters); the encoder keeps two lanes. */
export const HISTOGRAM_LANE_BYTES = 4 * CONTEXT_COUNT * ALPHABET

/**
 * One row of the residual encode loop (residual-encode.ts's TypeScript loop, the reference):
 * the child integer (an fp16/bf16 pattern mapped by toOrdered, or an 8-bit code), its entry,
 * the symbol zigzag(r >> k) or ESCAPE, the k low bits appended LSB first, symbol and context
 * ((k << 6) | context id, 16 bits) stored per element and counted per context. `state` carries
 * the escape count, the low-bit write address and the pending bits (fewer than 8) from row to
 * row. Buffers are sized by the caller for the worst case (11 low bits and one escape per
 * element).
 */
export function encodeRowFunction(name: string, indexing: TableIndexing, childWidth: 1 | 2): WasmFunction {
  const [VALUES, PARENT, COUNT, COLUMN_BASE, TABLE, SYMBOLS, CONTEXTS, HISTOGRAMS, ESCAPES, STATE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
  const [J, ESCAPE_COUNT, LOW_AT, BITS, ENTRY, VALUE, RESIDUAL, K, HIGH, SYMBOL, ADDRESS, ACC] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]
  const b = new CodeBuilder()
  b.get(STATE).memory(Op.i32Load, 0, 2).set(ESCAPE_COUNT)
  b.get(STATE).memory(Op.i32Load, 4, 2).set(LOW_AT)
  b.get(STATE).memory(Op.i32Load, 8, 2).set(BITS)
  b.get(STATE).memory(Op.i32Load, 12, 2).op(Op.i64ExtendI32U).set(ACC)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(J).get(COUNT).op(Op.i32GeU, Op.brIf, 1)
  b.get(TABLE)
  b.get(PARENT).get(J).op(Op.i32Add).memory(Op.i32Load8U)
  if (indexing !== 'parent') b.get(COLUMN_BASE).get(J).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).op(Op.i32Add)
  b.i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).set(ENTRY)
  if (childWidth === 2) {
    // toOrdered(bits) = bits ^ 0x8000 ^ (sign ? 0x7fff : 0)
    b.get(VALUES).get(J).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load16U, 0, 1).tee(VALUE)
    b.i32(0x8000).op(Op.i32Xor).get(VALUE).i32(15).op(Op.i32ShrU).i32(0x7fff).op(Op.i32Mul, Op.i32Xor).set(VALUE)
  } else {
    b.get(VALUES).get(J).op(Op.i32Add).memory(Op.i32Load8U).set(VALUE)
  }
  b.get(ENTRY).i32(22).op(Op.i32ShrU).set(K)
  b.get(VALUE).get(ENTRY).i32(0xffff).op(Op.i32And, Op.i32Sub).tee(RESIDUAL)
  b.get(K).op(Op.i32ShrS).tee(HIGH).i32(1).op(Op.i32Shl).get(HIGH).i32(31).op(Op.i32ShrS, Op.i32Xor).tee(SYMBOL)
  b.i32(255).op(Op.i32LtU, Op.if, VOID_BLOCK)
  // the k low bits of the residual, then store the accumulator and keep its partial byte; codes
  // skip this when k = 0 (most code bins are narrow, k = 0 alike; a 16-bit child's k varies with
  // the magnitude, so the branch would mispredict there)
  if (childWidth === 1) b.get(K).op(Op.if, VOID_BLOCK)
  {
    b.get(ACC).get(RESIDUAL).i32(1).get(K).op(Op.i32Shl).i32(1).op(Op.i32Sub, Op.i32And, Op.i64ExtendI32U).get(BITS).op(Op.i64ExtendI32U, Op.i64Shl, Op.i64Or).set(ACC)
    b.get(BITS).get(K).op(Op.i32Add).set(BITS)
    b.get(LOW_AT).get(ACC).memory(Op.i64Store)
    b.get(LOW_AT).get(BITS).i32(3).op(Op.i32ShrU, Op.i32Add).set(LOW_AT)
    b.get(ACC).get(BITS).i32(-8).op(Op.i32And, Op.i64ExtendI32U, Op.i64ShrU).set(ACC)
    b.get(BITS).i32(7).op(Op.i32And).set(BITS)
  }
  if (childWidth === 1) b.op(Op.end)
  b.op(Op.else)
  {
    b.get(ESCAPES).get(ESCAPE_COUNT).i32(1).op(Op.i32Shl, Op.i32Add).get(VALUE).memory(Op.i32Store16, 0, 1)
    b.get(ESCAPE_COUNT).i32(1).op(Op.i32Add).set(ESCAPE_COUNT)
    b.i32(255).set(SYMBOL)
  }
  b.op(Op.end)
  b.get(SYMBOLS).get(J).op(Op.i32Add).get(SYMBOL).memory(Op.i32Store8)
  b.get(CONTEXTS).get(J).i32(1).op(Op.i32Shl, Op.i32Add).get(ENTRY).i32(16).op(Op.i32ShrU).memory(Op.i32Store16, 0, 1)
  // histograms[lane][context * ALPHABET + symbol]++, the lane by the element's parity, so runs of one symbol wait on every other increment only
  b.get(HISTOGRAMS).get(J).i32(1).op(Op.i32And).i32(HISTOGRAM_LANE_BYTES).op(Op.i32Mul, Op.i32Add).get(ENTRY).i32(16).op(Op.i32ShrU).i32(63).op(Op.i32And).i32(Math.log2(ALPHABET)).op(Op.i32Shl).get(SYMBOL).op(Op.i32Or).i32(2).op(Op.i32Shl, Op.i32Add).tee(ADDRESS)
  b.get(ADDRESS).memory(Op.i32Load, 0, 2).i32(1).op(Op.i32Add).memory(Op.i32Store, 0, 2)
  b.get(J).i32(1).op(Op.i32Add).set(J)
  b.op(Op.br, 0, Op.end, Op.end)
  b.get(STATE).get(ESCAPE_COUNT).memory(Op.i32Store, 0, 2)
  b.get(STATE).get(LOW_AT).memory(Op.i32Store, 4, 2)
  b.get(STATE).get(BITS).memory(Op.i32Store, 8, 2)
  b.get(STATE).get(ACC).op(Op.i32WrapI64).memory(Op.i32Store, 12, 2)
  return { name, params: i32s(10), locals: [...i32s(11), Type.i64], code: b.code }
}

/** Regroups symbols by table (stable): out[cursors[t]++] = symbol for t = tableOf[context & 63], four elements per step (takeCursors). */
export function groupFunction(name: string): WasmFunction {
  const [SYMBOLS, CONTEXTS, COUNT, TABLE_OF, CURSORS, OUT, I] = [0, 1, 2, 3, 4, 5, 6]
  const ADDRESS = [7, 8, 9, 10]
  const AT = [11, 12, 13, 14]
  const b = new CodeBuilder()
  for (const step of [ADDRESS.length, 1]) {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(I).i32(step).op(Op.i32Add).get(COUNT).op(Op.i32GtU, Op.brIf, 1)
    for (let e = 0; e < step; e++) {
      b.get(TABLE_OF).get(CONTEXTS).get(I).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load16U, 2 * e, 1).i32(63).op(Op.i32And, Op.i32Add).memory(Op.i32Load8U).i32(2).op(Op.i32Shl).get(CURSORS).op(Op.i32Add).set(ADDRESS[e]!)
    }
    takeCursors(b, ADDRESS.slice(0, step), AT.slice(0, step))
    for (let e = 0; e < step; e++) b.get(OUT).get(AT[e]!).op(Op.i32Add).get(SYMBOLS).get(I).op(Op.i32Add).memory(Op.i32Load8U, e).memory(Op.i32Store8)
    b.get(I).i32(step).op(Op.i32Add).set(I)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  return { name, params: i32s(6), locals: i32s(1 + 2 * ADDRESS.length), code: b.code }
}

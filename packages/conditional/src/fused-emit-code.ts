import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'
import { LANES } from './fused-code.js'
import { ESCAPE } from './table-plan.js'

// Parameters (byte addresses or counts, all i32), then locals, by index.
const SYMBOLS = 0 // the first pass's symbols (8-bit)
const CONTEXTS = 1 // its (k << 6) | context id (16-bit)
const FROM = 2 // first element of the slab
const TO = 3 // its end
const CODES = 4 // per context id and symbol: code | length << 16 (i32)
const ESCAPES = 5 // escaped child integers (16-bit)
const LOW = 6 // the first pass's low bits, LSB first
const STATE = 7 // escapes taken, low bit position (i32 each), read at entry; written at exit, then each lane's end address
const OUT = 8 // where lane 0's bytes go; lane x's at OUT + x * LANE_BYTES
const CHILD_BITS = 9 // width of an escaped integer
const LANE_BYTES = 10
const I = 11
const ESCAPE_AT = 12
const LOW_POS = 13
const CONTEXT = 14
const SYMBOL = 15
const CODE = 16
const K = 17
const LENGTH = 18 // the code's length
// Per lane: where its next byte goes, its pending bits (fewer than 8 between elements) and their count.
const AT = 19
const FILLED = AT + LANES
const ACC = FILLED + LANES // i64

/**
 * One slab's lanes from the first pass (fused-write.ts's SlabEmitter, the reference): per
 * element, in its lane, its table's code, then its escaped integer or the k low bits taken
 * from the first pass's low stream (consumed in element order, so the loop walks elements in
 * order, one lane after the other). Bits gather in a 64-bit accumulator per lane, stored
 * unaligned after every element. The caller gives each lane room for its worst case (27 bits
 * per element) plus 8 bytes, and the low bits room for an 8-byte read past their end.
 */
export function emitSlabFunction(name: string): WasmFunction {
  const b = new CodeBuilder()
  b.get(STATE).memory(Op.i32Load, 0, 2).set(ESCAPE_AT)
  b.get(STATE).memory(Op.i32Load, 4, 2).set(LOW_POS)
  for (let x = 0; x < LANES; x++) b.get(OUT).get(LANE_BYTES).i32(x).op(Op.i32Mul, Op.i32Add).set(AT + x)
  b.get(FROM).set(I)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  for (let x = 0; x < LANES; x++) {
    b.get(I).get(TO).op(Op.i32GeU, Op.brIf, 1)
    element(b, x)
  }
  b.op(Op.br, 0, Op.end, Op.end)
  b.get(STATE).get(ESCAPE_AT).memory(Op.i32Store, 0, 2)
  b.get(STATE).get(LOW_POS).memory(Op.i32Store, 4, 2)
  // each lane's end, counting its pending bits' byte (stored with its last element)
  for (let x = 0; x < LANES; x++) b.get(STATE).get(AT + x).get(FILLED + x).i32(0).op(Op.i32Ne, Op.i32Add).memory(Op.i32Store, 8 + 4 * x, 2)
  const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
  return { name, params: i32s(11), locals: [...i32s(8 + 2 * LANES), ...new Array<number>(LANES).fill(Type.i64)], code: b.code }
}

/** Element I into lane x. */
function element(b: CodeBuilder, x: number): void {
  b.get(CONTEXTS).get(I).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load16U, 0, 1).set(CONTEXT)
  b.get(SYMBOLS).get(I).op(Op.i32Add).memory(Op.i32Load8U).set(SYMBOL)
  // codes[context id][symbol]
  b.get(CODES).get(CONTEXT).i32(63).op(Op.i32And).i32(10).op(Op.i32Shl, Op.i32Add).get(SYMBOL).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).set(CODE)
  b.get(SYMBOL).i32(ESCAPE).op(Op.i32Eq, Op.if, Type.i32)
  {
    b.get(ESCAPES).get(ESCAPE_AT).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load16U, 0, 1)
    b.get(ESCAPE_AT).i32(1).op(Op.i32Add).set(ESCAPE_AT)
    b.get(CHILD_BITS).set(K)
  }
  b.op(Op.else)
  {
    b.get(CONTEXT).i32(6).op(Op.i32ShrU).set(K)
    b.get(LOW).get(LOW_POS).i32(3).op(Op.i32ShrU, Op.i32Add).memory(Op.i64Load)
    b.get(LOW_POS).i32(7).op(Op.i32And, Op.i64ExtendI32U, Op.i64ShrU, Op.i32WrapI64)
    b.i32(1).get(K).op(Op.i32Shl).i32(1).op(Op.i32Sub, Op.i32And)
    b.get(LOW_POS).get(K).op(Op.i32Add).set(LOW_POS)
  }
  b.op(Op.end)
  // one append of the code and the K bits after it: at most 11 + 16 bits
  b.get(CODE).i32(16).op(Op.i32ShrU).tee(LENGTH).op(Op.i32Shl).get(CODE).i32(0xffff).op(Op.i32And, Op.i32Or).set(CODE)
  b.get(ACC + x).get(CODE).op(Op.i64ExtendI32U).get(FILLED + x).op(Op.i64ExtendI32U, Op.i64Shl, Op.i64Or).set(ACC + x)
  b.get(FILLED + x).get(LENGTH).op(Op.i32Add).get(K).op(Op.i32Add).set(FILLED + x)
  // store the accumulator, keep its partial byte
  b.get(AT + x).get(ACC + x).memory(Op.i64Store)
  b.get(AT + x).get(FILLED + x).i32(3).op(Op.i32ShrU, Op.i32Add).set(AT + x)
  b.get(ACC + x).get(FILLED + x).i32(-8).op(Op.i32And, Op.i64ExtendI32U, Op.i64ShrU).set(ACC + x)
  b.get(FILLED + x).i32(7).op(Op.i32And).set(FILLED + x)
  b.get(I).i32(1).op(Op.i32Add).set(I)
}

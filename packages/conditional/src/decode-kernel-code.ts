import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'
import { takeCursors } from './cursor-code.js'
import type { TableIndexing } from './half-predictor.js'

// Parameters (byte addresses, all i32), then locals, by index.
const OUT = 0 // the row's first output value (16-bit, or 8-bit codes)
const PARENT = 1 // the row's first parent code (8-bit)
const COUNT = 2 // elements in the row
const COLUMN_BASE = 3 // per column, the first table entry of its group or group pair (i32)
const TABLE = 4 // the row's entries, context ids already replaced by table numbers (i32)
const CURSORS = 5 // per table, the index of its next symbol (i32)
const SYMBOLS = 6
const ESCAPES = 7 // escaped child integers (16-bit)
const LOW = 8 // the low bits, LSB first
const STATE = 9 // escapes taken, low bit position, OR of all values (i32 each), read at entry, written at exit
const J = 10
const ESCAPE_AT = 11
const BIT_POS = 12
const SEEN = 13
const SYMBOL = 14
const K = 15
const VALUE = 16
/** Elements per step of the main loop; the rest of a row goes one by one. */
const WIDE = 4
const ENTRY = [17, 18, 19, 20]
const ADDRESS = [21, 22, 23, 24]
const AT = [25, 26, 27, 28]

/**
 * One row of the residual decode loop (residual-decode.ts's TypeScript loop, the reference):
 * entry from the parent code, the next symbol of the entry's table, the value from the
 * prediction, the symbol's high part and k low bits (or an escape). Four elements per step
 * take their table cursors together (takeCursors). Integers of 16-bit children (the 'parent'
 * and 'both' indexings) are mapped back by fromOrdered; codes ('codes') are stored as they
 * are, one byte each. The caller lays out memory so that no read can leave it whatever the
 * stream says; it checks cursors and counts after.
 */
export function residualRowFunction(name: string, indexing: TableIndexing): WasmFunction {
  const b = new CodeBuilder()
  b.get(STATE).memory(Op.i32Load, 0, 2).set(ESCAPE_AT)
  b.get(STATE).memory(Op.i32Load, 4, 2).set(BIT_POS)
  b.get(STATE).memory(Op.i32Load, 8, 2).set(SEEN)
  for (const step of [WIDE, 1]) {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(J).i32(step).op(Op.i32Add).get(COUNT).op(Op.i32GtU, Op.brIf, 1)
    for (let e = 0; e < step; e++) {
      entry(b, indexing, e)
      // the entry's table cursor address: table number (bits 16..21) * 4
      b.get(ENTRY[e]!).i32(14).op(Op.i32ShrU).i32(0xfc).op(Op.i32And).get(CURSORS).op(Op.i32Add).set(ADDRESS[e]!)
    }
    takeCursors(b, ADDRESS.slice(0, step), AT.slice(0, step))
    for (let e = 0; e < step; e++) value(b, e, indexing !== 'codes')
    b.get(J).i32(step).op(Op.i32Add).set(J)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  b.get(STATE).get(ESCAPE_AT).memory(Op.i32Store, 0, 2)
  b.get(STATE).get(BIT_POS).memory(Op.i32Store, 4, 2)
  b.get(STATE).get(SEEN).memory(Op.i32Store, 8, 2)
  const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
  return { name, params: i32s(10), locals: i32s(7 + 3 * WIDE), code: b.code }
}

/** ENTRY[e] = table[columnBase[j + e] + parent[j + e]], or table[parent[j + e]] alone. */
function entry(b: CodeBuilder, indexing: TableIndexing, e: number): void {
  b.get(TABLE)
  b.get(PARENT).get(J).op(Op.i32Add).memory(Op.i32Load8U, e)
  if (indexing !== 'parent') b.get(COLUMN_BASE).get(J).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 4 * e, 2).op(Op.i32Add)
  b.i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).set(ENTRY[e]!)
}

/** Element j + e's value from its symbol (at index AT[e]), and its output: a 16-bit pattern when `ordered`, else an 8-bit code. */
function value(b: CodeBuilder, e: number, ordered: boolean): void {
  b.get(SYMBOLS).get(AT[e]!).op(Op.i32Add).memory(Op.i32Load8U).tee(SYMBOL)
  b.i32(255).op(Op.i32Eq, Op.if, Type.i32)
  {
    b.get(ESCAPES).get(ESCAPE_AT).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load16U)
    b.get(ESCAPE_AT).i32(1).op(Op.i32Add).set(ESCAPE_AT)
  }
  b.op(Op.else)
  {
    b.get(ENTRY[e]!).i32(22).op(Op.i32ShrU).set(K)
    // unzigzag(symbol) << k, plus the prediction
    b.get(SYMBOL).i32(1).op(Op.i32ShrU).i32(0).get(SYMBOL).i32(1).op(Op.i32And, Op.i32Sub, Op.i32Xor).get(K).op(Op.i32Shl)
    b.get(ENTRY[e]!).i32(0xffff).op(Op.i32And, Op.i32Add).set(VALUE)
    // plus the next k low bits; codes skip them when k = 0 (most code bins are narrow, k = 0 alike;
    // a 16-bit child's k varies with the magnitude, so the branch would mispredict there)
    if (!ordered) b.get(K).op(Op.if, VOID_BLOCK)
    b.get(LOW).get(BIT_POS).i32(3).op(Op.i32ShrU, Op.i32Add).memory(Op.i32Load)
    b.get(BIT_POS).i32(7).op(Op.i32And, Op.i32ShrU)
    b.i32(1).get(K).op(Op.i32Shl).i32(1).op(Op.i32Sub, Op.i32And).get(VALUE).op(Op.i32Add).set(VALUE)
    b.get(BIT_POS).get(K).op(Op.i32Add).set(BIT_POS)
    if (!ordered) b.op(Op.end)
    b.get(VALUE)
  }
  b.op(Op.end).tee(VALUE)
  b.get(SEEN).op(Op.i32Or).set(SEEN)
  if (!ordered) {
    b.get(OUT).get(J).op(Op.i32Add).get(VALUE).memory(Op.i32Store8, e)
    return
  }
  // fromOrdered(v) = v ^ 0xffff ^ (bit 15 of v ? 0x7fff : 0)
  b.get(OUT).get(J).i32(1).op(Op.i32Shl, Op.i32Add)
  b.get(VALUE).i32(0xffff).op(Op.i32Xor).get(VALUE).i32(16).op(Op.i32Shl).i32(31).op(Op.i32ShrS).i32(0x7fff).op(Op.i32And, Op.i32Xor)
  b.memory(Op.i32Store16, 2 * e, 1)
}

import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'
import { ESCAPE_FLAG, LANES, PEEK_ENTRIES, STATIC_CODE_LIMIT, UNUSED_VALUE_BIT } from './fused-code.js'
import type { TableIndexing } from './half-predictor.js'

/** i32.load8_s, which @qchain/huffman's Op table lacks. */
export const I32_LOAD8_S = 0x2c

/**
 * Fixed addresses of the kernel's memory (fused-space.ts lays it out): per lane its bit
 * position counted from address 0 (so a position >> 3 is the address of its byte), the OR of
 * all values, the escapes' width, the fast kernel's escape flag, 2^k for k = 0..16, the fast
 * kernel's positions by slot, the row's entries (context ids replaced by
 * table numbers), then the decode lookups (PEEK_ENTRIES i16 per table: the low byte the code
 * length or ESCAPE_FLAG, the high byte the signed high part). Fixed, they take no register.
 */
export const FUSED_POSITIONS = 0
export const FUSED_SEEN = 4 * LANES
export const FUSED_ESCAPE_BITS = FUSED_SEEN + 4
/** Set by the fast row kernel (fused-fast-code.ts) when a row holds an escape and is left for this one. */
export const FUSED_ESCAPED = FUSED_ESCAPE_BITS + 4
export const FUSED_POWERS = 32
/** 2^0..2^16: masks and multipliers of k low bits, or of up to 16 escaped bits. */
export const POWER_COUNT = 17
/** The fast kernel's bit positions, by element of a step (slot i: the lane of the row's elements i, i + 4, ...). */
export const FUSED_SLOTS = FUSED_POWERS + 4 * POWER_COUNT
/** The fast kernel's wide entries of a row table indexed by parent code alone (fused-fast-code.ts): four fields of 256 i32s. */
export const FUSED_WIDE = FUSED_SLOTS + 4 * LANES
export const WIDE_FIELD_BYTES = 4 * 256
export const FUSED_TABLE = FUSED_WIDE + 4 * WIDE_FIELD_BYTES
/** Row tables longer than this (1 MB) are left to the TypeScript loop. */
export const MAX_TABLE_ENTRIES = 1 << 18
export const FUSED_LOOKUP = FUSED_TABLE + 4 * MAX_TABLE_ENTRIES

// Parameters (byte addresses, all i32), then locals, by index.
// OUT, PARENT and COLUMN_BASE advance with the elements, COUNT counts down.
const OUT = 0 // the row's first output value (16-bit, or 8-bit codes)
const PARENT = 1 // the row's first parent code (8-bit)
const COUNT = 2 // elements in the row
const COLUMN_BASE = 3 // per column, the first table entry of its group or group pair (i32)
const PHASE = 4 // the lane of the row's first element; then of the element after the row
const SEEN = 5
const ENTRY = 6
const PEEK = 7
const AT = 8 // the element's lookup entry's address
const LENGTH = 9 // its code length, with ESCAPE_FLAG
const POWER = 10 // 2^k
const VALUE = 11
/** LANES bit positions: POS + x is the lane of the step's element x (mod LANES). */
const POS = 12

/** Elements per step of the main loop (unrolled, a multiple of LANES); the rest of a row goes one by one. */
const UNROLL = 8

/**
 * One row of the static body's fused decode (fused-rows.ts's TypeScript loop, the reference):
 * per element its entry, the code's lookup in its table, then the residual's k low bits or the
 * escaped integer, from its lane. Consecutive elements sit in different lanes, so their bit
 * positions do not wait on each other, and the loop is bound by its instruction count: hence
 * fixed addresses, byte loads of the lookup entry's halves, 2^k from a table (x64 shifts by a
 * variable need cl), and a residual step every element takes, which the rare escape then
 * redoes (its only branch, with nothing to merge back). Integers of 16-bit children are
 * mapped back by fromOrdered, codes stored as they are. The caller lays out memory so that no
 * read can leave it whatever the stream says, and checks the positions and values after each
 * row.
 */
export function fusedRowFunction(name: string, indexing: TableIndexing): WasmFunction {
  const b = new CodeBuilder()
  const lane = (x: number) => b.get(PHASE).i32(x).op(Op.i32Add).i32(LANES - 1).op(Op.i32And).i32(2).op(Op.i32Shl)
  for (let x = 0; x < LANES; x++) lane(x).memory(Op.i32Load, FUSED_POSITIONS, 2).set(POS + x)
  b.i32(0).memory(Op.i32Load, FUSED_SEEN, 2).set(SEEN)
  b.get(PHASE).get(COUNT).op(Op.i32Add).set(PHASE)
  for (const step of [UNROLL, 1]) {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(COUNT).i32(step).op(Op.i32LtU, Op.brIf, 1)
    for (let e = 0; e < step; e++) element(b, indexing, e, POS + (e % LANES))
    // one by one, the next element's lane comes first
    if (step === 1) {
      b.get(POS).set(AT)
      for (let x = 0; x < LANES - 1; x++) b.get(POS + x + 1).set(POS + x)
      b.get(AT).set(POS + LANES - 1)
    }
    b.get(OUT).i32(indexing === 'codes' ? step : 2 * step).op(Op.i32Add).set(OUT)
    b.get(PARENT).i32(step).op(Op.i32Add).set(PARENT)
    if (indexing !== 'parent') b.get(COLUMN_BASE).i32(4 * step).op(Op.i32Add).set(COLUMN_BASE)
    b.get(COUNT).i32(step).op(Op.i32Sub).set(COUNT)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  for (let x = 0; x < LANES; x++) lane(x).get(POS + x).memory(Op.i32Store, FUSED_POSITIONS, 2)
  b.i32(0).get(SEEN).memory(Op.i32Store, FUSED_SEEN, 2)
  const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
  return { name, params: i32s(5), locals: i32s(7 + LANES), code: b.code }
}

/** Element e of the step, from the lane whose bit position is local `pos`. */
function element(b: CodeBuilder, indexing: TableIndexing, e: number, pos: number): void {
  loadEntry(b, indexing, e, PARENT, COLUMN_BASE, ENTRY)
  // 25 bits from the position: an 11-bit code and up to 11 low bits
  b.get(pos).i32(3).op(Op.i32ShrU).memory(Op.i32Load).get(pos).i32(7).op(Op.i32And, Op.i32ShrU).set(PEEK)
  // lookup[table][peek & 2047], the table number in bits 16..21 of the entry
  b.get(ENTRY).i32(16 - STATIC_CODE_LIMIT - 1).op(Op.i32ShrU).i32(63 << (STATIC_CODE_LIMIT + 1)).op(Op.i32And)
  b.get(PEEK).i32(PEEK_ENTRIES - 1).op(Op.i32And).i32(1).op(Op.i32Shl, Op.i32Add).tee(AT)
  b.memory(Op.i32Load8U, FUSED_LOOKUP).set(LENGTH)
  // k = entry >> 22
  b.get(ENTRY).i32(22).op(Op.i32ShrU).i32(2).op(Op.i32Shl).memory(Op.i32Load, FUSED_POWERS, 2).set(POWER)
  // prediction + high part * 2^k + the k low bits (a shift by LENGTH, mod 32, drops the escape flag)
  b.get(ENTRY).i32(0xffff).op(Op.i32And)
  b.get(AT).memory(I32_LOAD8_S, FUSED_LOOKUP + 1).get(POWER).op(Op.i32Mul, Op.i32Add)
  b.get(PEEK).get(LENGTH).op(Op.i32ShrU).get(POWER).i32(1).op(Op.i32Sub, Op.i32And, Op.i32Add).set(VALUE)
  b.get(pos).get(LENGTH).op(Op.i32Add).get(ENTRY).i32(22).op(Op.i32ShrU, Op.i32Add).set(pos)
  b.get(LENGTH).i32(ESCAPE_FLAG).op(Op.i32And, Op.if, VOID_BLOCK)
  {
    // an escape: from the code's end, its escapeBits-wide integer
    b.get(pos).get(LENGTH).op(Op.i32Sub).get(ENTRY).i32(22).op(Op.i32ShrU, Op.i32Sub).get(LENGTH).i32(15).op(Op.i32And, Op.i32Add).set(pos)
    b.get(pos).i32(3).op(Op.i32ShrU).memory(Op.i32Load).get(pos).i32(7).op(Op.i32And, Op.i32ShrU)
    b.i32(0).memory(Op.i32Load, FUSED_ESCAPE_BITS, 2).i32(2).op(Op.i32Shl).memory(Op.i32Load, FUSED_POWERS, 2).i32(1).op(Op.i32Sub, Op.i32And)
    // contexts the stream says are unused put their value out of range
    b.get(AT).memory(I32_LOAD8_S, FUSED_LOOKUP + 1).i32(UNUSED_VALUE_BIT).op(Op.i32And, Op.i32Or).set(VALUE)
    b.get(pos).i32(0).memory(Op.i32Load, FUSED_ESCAPE_BITS, 2).op(Op.i32Add).set(pos)
  }
  b.op(Op.end)
  b.get(VALUE)
  b.get(SEEN).op(Op.i32Or).set(SEEN)
  if (indexing === 'codes') {
    b.get(OUT).get(VALUE).memory(Op.i32Store8, e)
    return
  }
  // fromOrdered(v) = d ^ (d < 0 ? 0x7fff : 0) with d = v - 0x8000, for v in range (others are refused after)
  b.get(OUT)
  b.get(VALUE).i32(0x8000).op(Op.i32Sub).tee(VALUE).get(VALUE).i32(31).op(Op.i32ShrS).i32(0x7fff).op(Op.i32And, Op.i32Xor)
  b.memory(Op.i32Store16, 2 * e, 1)
}

/** Local `entry` = table[columnBase[e] + parent[e]], or table[parent[e]] alone, from the row pointers in locals `parent` and `columnBase`. */
export function loadEntry(b: CodeBuilder, indexing: TableIndexing, e: number, parent: number, columnBase: number, entry: number): void {
  b.get(parent).memory(Op.i32Load8U, e)
  if (indexing !== 'parent') b.get(columnBase).memory(Op.i32Load, 4 * e, 2).op(Op.i32Add)
  b.i32(2).op(Op.i32Shl).memory(Op.i32Load, FUSED_TABLE, 2).set(entry)
}

import { Op, VOID_BLOCK, type CodeBuilder } from '@qchain/huffman'

// The parameters every row entries kernel starts with (byte addresses unless said).
export const CODES = 0 // the row's parent codes (8-bit)
export const COUNT = 1 // elements in the row
export const COLUMN_BASE = 2 // per column, its group (or group pair) << BITS (i32)
export const STAMPS = 3 // per table entry, the tag of the row that computed it (i32)
export const TAG = 4 // this row's tag, a value
export const BITS = 5 // the parent's code width, a value
export const WHOLE = 6 // the table's length when the row computes it whole, else 0; a value
export const TABLE = 7 // the entries (i32)
export const ENTRY_PARAMS = 8

/** The loop's locals, the first three after a kernel's parameters: element, parent code, entry index. */
export interface EntryLocals {
  j: number
  q: number
  at: number
}

export function entryLocals(params: number): EntryLocals {
  return { j: params, q: params + 1, at: params + 2 }
}

/** How a kernel shortens the whole table's loop: it stops at local `end` (set before), and `after` follows each entry's `body`. */
export interface WholeRun {
  end: number
  after: () => void
}

/**
 * Runs `body`, which computes table[at] for parent code q of group (or pair) at >> BITS, for
 * the entries a row needs: every entry when WHOLE > 0 (a table no longer than the row, so
 * computing it whole costs less than a stamp test per element; `whole` may fill some from
 * others), else each entry the first element of the row that uses it, found by stamps; there
 * `stamped` (if given) follows `body`.
 */
export function forRowEntries(b: CodeBuilder, { j: J, q: Q, at: AT }: EntryLocals, body: () => void, stamped?: () => void, whole?: WholeRun): void {
  b.get(WHOLE).op(Op.if, VOID_BLOCK)
  {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(AT).get(whole ? whole.end : WHOLE).op(Op.i32GeU, Op.brIf, 1)
    b.get(AT).i32(1).get(BITS).op(Op.i32Shl).i32(1).op(Op.i32Sub, Op.i32And).set(Q)
    body()
    whole?.after()
    b.get(AT).i32(1).op(Op.i32Add).set(AT)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  b.op(Op.else)
  {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(J).get(COUNT).op(Op.i32GeU, Op.brIf, 1)
    b.get(CODES).get(J).op(Op.i32Add).memory(Op.i32Load8U).set(Q)
    b.get(COLUMN_BASE).get(J).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).get(Q).op(Op.i32Add).set(AT)
    b.get(STAMPS).get(AT).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).get(TAG).op(Op.i32Ne, Op.if, VOID_BLOCK)
    b.get(STAMPS).get(AT).i32(2).op(Op.i32Shl, Op.i32Add).get(TAG).memory(Op.i32Store, 0, 2)
    body()
    stamped?.()
    b.op(Op.end)
    b.get(J).i32(1).op(Op.i32Add).set(J)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  b.op(Op.end)
}

/** Whether a row computes its table whole (see forRowEntries): the table is no longer than the row. */
export function wholeLength(tableLength: number, cols: number): number {
  return tableLength <= cols ? tableLength : 0
}

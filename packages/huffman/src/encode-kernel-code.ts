import { Op, Type, VOID_BLOCK, type WasmFunction } from './wasm-binary.js'
import { CodeBuilder } from './wasm-code.js'

/** Sub-histograms of the 8-bit counter, so runs of one byte do not wait on their own previous increment. */
export const HISTOGRAM_LANES = 8
/** Codes each step adds to the 64-bit accumulator before storing it: 7 pending + 4 * 14 bits fit. */
const CODES_PER_STEP = 4
/** The longest code the stream writer takes. */
export const WRITER_MAX_BITS = 14

const i32s = (n: number) => new Array<number>(n).fill(Type.i32)

/**
 * Counts symbols[0..count) at `src` into 32-bit counters at `counts`: eight lanes of 256 for
 * 8-bit symbols (the caller adds them up), one table of 65536 for 16-bit ones.
 */
export function histogramFunction(name: string, width: 1 | 2): WasmFunction {
  const [SRC, COUNT, COUNTS, I, WORD, ADDRESS] = [0, 1, 2, 3, 4, 5]
  const b = new CodeBuilder()
  const increment = (offset: number) => b.tee(ADDRESS).get(ADDRESS).memory(Op.i32Load, offset, 2).i32(1).op(Op.i32Add).memory(Op.i32Store, offset, 2)
  if (width === 1) {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(I).i32(8).op(Op.i32Add).get(COUNT).op(Op.i32GtU, Op.brIf, 1)
    for (let half = 0; half < 2; half++) {
      b.get(SRC).get(I).op(Op.i32Add).memory(Op.i32Load, 4 * half).set(WORD)
      for (let byte = 0; byte < 4; byte++) {
        b.get(COUNTS).get(WORD).i32(8 * byte).op(Op.i32ShrU).i32(255).op(Op.i32And).i32(2).op(Op.i32Shl, Op.i32Add)
        increment(1024 * (4 * half + byte))
      }
    }
    b.get(I).i32(8).op(Op.i32Add).set(I)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(I).get(COUNT).op(Op.i32GeU, Op.brIf, 1)
  b.get(COUNTS).get(SRC).get(I)
  if (width === 2) b.i32(1).op(Op.i32Shl)
  b.op(Op.i32Add).memory(width === 1 ? Op.i32Load8U : Op.i32Load16U).i32(2).op(Op.i32Shl, Op.i32Add)
  increment(0)
  b.get(I).i32(1).op(Op.i32Add).set(I)
  b.op(Op.br, 0, Op.end, Op.end)
  return { name, params: i32s(3), locals: i32s(3), code: b.code }
}

/**
 * Writes symbols from..to-1 (at `src`) as one LSB-first bit stream at byte address `out` and
 * stores its end address at `state`. `codes` holds (reversed code << 4) | length per symbol,
 * no escapes, lengths of at most WRITER_MAX_BITS. Every step stores the 64-bit accumulator
 * unconditionally (so `out` needs 8 bytes of room past the end) and keeps its partial byte.
 * Same bytes as encode-kernel.ts's writePairs.
 */
export function streamWriterFunction(name: string, width: 1 | 2): WasmFunction {
  const [SRC, FROM, TO, CODES, OUT, STATE, I, P, BITS, CODE, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  const b = new CodeBuilder()
  const addCode = (offset: number) => {
    b.get(CODES).get(SRC).get(I)
    if (width === 2) b.i32(1).op(Op.i32Shl)
    b.op(Op.i32Add).memory(width === 1 ? Op.i32Load8U : Op.i32Load16U, offset * width).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, 0, 2).set(CODE)
    b.get(ACC).get(CODE).i32(4).op(Op.i32ShrU, Op.i64ExtendI32U).get(BITS).op(Op.i64ExtendI32U, Op.i64Shl, Op.i64Or).set(ACC)
    b.get(BITS).get(CODE).i32(15).op(Op.i32And, Op.i32Add).set(BITS)
  }
  const flush = () => {
    b.get(P).get(ACC).memory(Op.i64Store)
    b.get(P).get(BITS).i32(3).op(Op.i32ShrU, Op.i32Add).set(P)
    b.get(ACC).get(BITS).i32(-8).op(Op.i32And, Op.i64ExtendI32U, Op.i64ShrU).set(ACC)
    b.get(BITS).i32(7).op(Op.i32And).set(BITS)
  }
  b.get(FROM).set(I).get(OUT).set(P)
  for (const step of [CODES_PER_STEP, 1]) {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(I).i32(step).op(Op.i32Add).get(TO).op(Op.i32GtU, Op.brIf, 1)
    for (let s = 0; s < step; s++) addCode(s)
    flush()
    b.get(I).i32(step).op(Op.i32Add).set(I)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  // The pending bits already sit in the byte at P (stored by the last flush).
  b.get(STATE).get(P).get(BITS).op(Op.i32Eqz, Op.i32Eqz, Op.i32Add).memory(Op.i32Store, 0, 2)
  return { name, params: i32s(6), locals: [...i32s(4), Type.i64], code: b.code }
}

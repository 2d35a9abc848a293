import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'
import { ESCAPE_FLAG, LANES, PEEK_ENTRIES, STATIC_CODE_LIMIT } from './fused-code.js'
import { FUSED_ESCAPED, FUSED_LOOKUP, FUSED_POSITIONS, FUSED_POWERS, FUSED_SEEN, FUSED_SLOTS, FUSED_TABLE, FUSED_WIDE, I32_LOAD8_S, loadEntry, WIDE_FIELD_BYTES } from './fused-kernel-code.js'
import type { TableIndexing } from './half-predictor.js'
import { Simd, simd, simdMemory, V128, Vectors } from './simd-code.js'

// Parameters (byte addresses, all i32), then locals, by index.
const OUT = 0 // the row's first output value (16-bit, or 8-bit codes); advances in the conversion
const PARENT = 1 // the row's first parent code; advances
const COUNT = 2 // elements in the row; counts down
const COLUMN_BASE = 3 // per column, the first table entry of its group (i32); advances
const PHASE = 4 // the lane of the row's first element
const SCRATCH = 5 // the row's slots (i32), 4 * COUNT bytes and zeros for a vector's overrun; advances in the conversion
const ENTRY = 6
const PEEK = 7
const AT = 8
const LENGTH = 9
const POWER = 10
const POS = 11
const NEXT = 12 // the next element's slot; after the loops, the end of the row's
const WIDE = 13 // the element's wide entry, from FUSED_WIDE
const ADVANCE = 14 // the element's bits: its code length and k
const FIRST_ADVANCE = 15 // a lane pair's first element's
const I32_LOCALS = FIRST_ADVANCE + 1 - ENTRY
const WINDOW = FIRST_ADVANCE + 1 // i64: a lane's next 57 bits or more, for two elements
// v128 locals
const SEEN = WINDOW + 1 // the OR of every slot
const VALUES = SEEN + 1
const BIAS = SEEN + 2 // 0x8000 in every 16-bit lane
const LOW = SEEN + 3 // 0x7fff in every 16-bit lane
const ENTRIES = SEEN + 4 // four row entries being widened

/** Elements per step of the main loop (a multiple of LANES); the rest of a row goes one by one. */
const UNROLL = 8
/** Bytes a row's conversion may write past its last output value, and read past its last slot (zeros there). */
export const FAST_OUT_OVERRUN = 16
export const FAST_SCRATCH_OVERRUN = 64
/** A slot's top byte holds its element's lookup length byte, so ESCAPE_FLAG shows here in the OR of the slots. */
const SLOT_ESCAPE = ESCAPE_FLAG << 24
/** The bits of a slot's integer that the caller's range check sees (the integers the fast loop can make lie in -2^18..2^19). */
const SLOT_VALUE = 0x00ffffff

const RETURN = 0x0f

/**
 * The fast form of one row of the static body's fused decode: fused-kernel-code.ts's loop
 * without the escape branch. Escapes are rare (none in isnet-fp16's 44M weights, 6e-4 of
 * babyllama's 16|4), so each element takes the residual step, its integer going to a scratch
 * slot whose top byte then gets the lookup's length byte; if any was an escape, the row is
 * abandoned (FUSED_ESCAPED set, positions and FUSED_SEEN untouched) for the careful kernel to
 * redo. The lanes' positions live in memory (FUSED_SLOTS, by element of the step): each update
 * is stored as soon as it is made, where V8 would otherwise hold every length and k of the
 * step in registers until its end and spill. The slots become the output by SIMD: 16-bit
 * children by fromOrdered, 8 at a time, codes 16 at a time.
 */
export function fusedFastRowFunction(name: string, indexing: TableIndexing): WasmFunction {
  const b = new CodeBuilder()
  const lane = (x: number) => b.get(PHASE).i32(x).op(Op.i32Add).i32(LANES - 1).op(Op.i32And).i32(2).op(Op.i32Shl)
  for (let x = 0; x < LANES; x++) {
    b.i32(0)
    lane(x).memory(Op.i32Load, FUSED_POSITIONS, 2).memory(Op.i32Store, FUSED_SLOTS + 4 * x, 2)
  }
  if (indexing === 'parent') widenEntries(b)
  b.get(SCRATCH).set(NEXT)
  for (const step of [UNROLL, 1]) {
    b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
    b.get(COUNT).i32(step).op(Op.i32LtU, Op.brIf, 1)
    if (step === 1) single(b, indexing)
    else for (let x = 0; x < LANES; x++) lanePair(b, indexing, x)
    b.get(NEXT).i32(4 * step).op(Op.i32Add).set(NEXT)
    b.get(PARENT).i32(step).op(Op.i32Add).set(PARENT)
    if (indexing !== 'parent') b.get(COLUMN_BASE).i32(4 * step).op(Op.i32Add).set(COLUMN_BASE)
    b.get(COUNT).i32(step).op(Op.i32Sub).set(COUNT)
    b.op(Op.br, 0, Op.end, Op.end)
  }
  if (indexing === 'codes') narrowCodes(b)
  else fromOrderedHalves(b)
  // SEEN's lanes ORed into one, in POS
  shuffle(b.get(SEEN).get(SEEN), [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7])
  simd(b.get(SEEN), Simd.or).set(SEEN)
  simd(b.get(SEEN), Simd.i32x4ExtractLane).op(0)
  simd(b.get(SEEN), Simd.i32x4ExtractLane).op(1, Op.i32Or).set(POS)
  b.i32(0).get(POS).i32(SLOT_ESCAPE).op(Op.i32And).memory(Op.i32Store, FUSED_ESCAPED, 2)
  b.get(POS).i32(SLOT_ESCAPE).op(Op.i32And, Op.if, VOID_BLOCK, RETURN, Op.end)
  b.i32(0)
  b.i32(0).memory(Op.i32Load, FUSED_SEEN, 2).get(POS).i32(SLOT_VALUE).op(Op.i32And, Op.i32Or).memory(Op.i32Store, FUSED_SEEN, 2)
  for (let x = 0; x < LANES; x++) {
    lane(x)
    b.i32(0).memory(Op.i32Load, FUSED_SLOTS + 4 * x, 2).memory(Op.i32Store, FUSED_POSITIONS, 2)
  }
  const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
  return { name, params: i32s(6), locals: [...i32s(I32_LOCALS), Type.i64, V128, V128, V128, V128, V128], code: b.code }
}

/**
 * Rows whose table is indexed by parent code alone get it widened first, four codes at a time:
 * per code its lookup's address, prediction, k and 2^k - 1 (wideField), each a load in the loop
 * instead of the shifts and masks that take them out of the entry.
 */
function widenEntries(b: CodeBuilder): void {
  const v = new Vectors(b)
  const field = (f: number) => FUSED_WIDE + f * WIDE_FIELD_BYTES
  b.i32(0).set(AT)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(AT).i32(WIDE_FIELD_BYTES).op(Op.i32GeU, Op.brIf, 1)
  simdMemory(b.get(AT), Simd.load, FUSED_TABLE).set(ENTRIES)
  b.get(AT)
  v.get(ENTRIES).i32(16 - STATIC_CODE_LIMIT - 1).ops(Simd.i32x4ShrU).splat(63 << (STATIC_CODE_LIMIT + 1)).ops(Simd.and).splat(FUSED_LOOKUP).ops(Simd.i32x4Add)
  simdMemory(b, Simd.store, field(0)).get(AT)
  v.get(ENTRIES).splat(0xffff).ops(Simd.and)
  simdMemory(b, Simd.store, field(1)).get(AT)
  v.get(ENTRIES).i32(22).ops(Simd.i32x4ShrU).set(ENTRIES).get(ENTRIES)
  simdMemory(b, Simd.store, field(2)).get(AT)
  // 2^k - 1 by way of the float 2^k
  v.get(ENTRIES).splat(127).ops(Simd.i32x4Add).i32(23).ops(Simd.i32x4Shl, Simd.i32x4TruncSatF32x4S).splat(1).ops(Simd.i32x4Sub)
  simdMemory(b, Simd.store, field(3))
  b.get(AT).i32(16).op(Op.i32Add).set(AT)
  b.op(Op.br, 0, Op.end, Op.end)
}

/** Local `local` = the element's wide entry field `f` (0 lookup address, 1 prediction, 2 k, 3 2^k - 1). */
function wideField(b: CodeBuilder, f: number, local: number): void {
  b.get(WIDE).memory(Op.i32Load, FUSED_WIDE + f * WIDE_FIELD_BYTES, 2).set(local)
}

/**
 * Elements x and x + LANES of the step, consecutive in lane x: one 64-bit peek serves both (their
 * bits, at most 22 each, follow each other), and the lane's position is loaded and stored once.
 */
function lanePair(b: CodeBuilder, indexing: TableIndexing, x: number): void {
  b.i32(0).memory(Op.i32Load, FUSED_SLOTS + 4 * x, 2).set(POS)
  b.get(POS).i32(3).op(Op.i32ShrU).memory(Op.i64Load).get(POS).i32(7).op(Op.i32And, Op.i64ExtendI32U, Op.i64ShrU).set(WINDOW)
  b.get(WINDOW).op(Op.i32WrapI64).set(PEEK)
  residual(b, indexing, x)
  b.get(ADVANCE).set(FIRST_ADVANCE)
  b.get(WINDOW).get(ADVANCE).op(Op.i64ExtendI32U, Op.i64ShrU, Op.i32WrapI64).set(PEEK)
  residual(b, indexing, x + LANES)
  b.i32(0).get(POS).get(FIRST_ADVANCE).op(Op.i32Add).get(ADVANCE).op(Op.i32Add).memory(Op.i32Store, FUSED_SLOTS + 4 * x, 2)
}

/** The one element of a step of one: its slot is its index in the row mod LANES. */
function single(b: CodeBuilder, indexing: TableIndexing): void {
  const slot = () => b.get(NEXT).get(SCRATCH).op(Op.i32Sub).i32(4 * (LANES - 1)).op(Op.i32And)
  slot()
  b.memory(Op.i32Load, FUSED_SLOTS, 2).set(POS)
  b.get(POS).i32(3).op(Op.i32ShrU).memory(Op.i32Load).get(POS).i32(7).op(Op.i32And, Op.i32ShrU).set(PEEK)
  residual(b, indexing, 0)
  slot()
  b.get(POS).get(ADVANCE).op(Op.i32Add).memory(Op.i32Store, FUSED_SLOTS, 2)
}

/**
 * Element e of the step from its bits in PEEK into its slot: prediction + high part * 2^k + the
 * k low bits, then the lookup's length byte on top; ADVANCE = the bits it took.
 */
function residual(b: CodeBuilder, indexing: TableIndexing, e: number): void {
  const wide = indexing === 'parent'
  if (wide) b.get(PARENT).memory(Op.i32Load8U, e).i32(2).op(Op.i32Shl).set(WIDE)
  else loadEntry(b, indexing, e, PARENT, COLUMN_BASE, ENTRY)
  // the lookup entry's address
  if (wide) wideField(b, 0, AT)
  else b.get(ENTRY).i32(16 - STATIC_CODE_LIMIT - 1).op(Op.i32ShrU).i32(63 << (STATIC_CODE_LIMIT + 1)).op(Op.i32And).i32(FUSED_LOOKUP).op(Op.i32Add).set(AT)
  b.get(AT).get(PEEK).i32(PEEK_ENTRIES - 1).op(Op.i32And).i32(1).op(Op.i32Shl, Op.i32Add).tee(AT)
  b.memory(Op.i32Load8U).set(LENGTH)
  if (wide) {
    // POWER holds k here: a shift by k and a mask of 2^k - 1 instead of a multiply by 2^k
    wideField(b, 2, POWER)
    b.get(NEXT)
    wideField(b, 1, ENTRY)
    b.get(ENTRY).get(AT).memory(I32_LOAD8_S, 1).get(POWER).op(Op.i32Shl, Op.i32Add)
    b.get(PEEK).get(LENGTH).op(Op.i32ShrU).get(WIDE).memory(Op.i32Load, FUSED_WIDE + 3 * WIDE_FIELD_BYTES, 2).op(Op.i32And, Op.i32Add)
    b.memory(Op.i32Store, 4 * e, 2)
    b.get(NEXT).get(LENGTH).memory(Op.i32Store8, 4 * e + 3)
    b.get(LENGTH).get(POWER).op(Op.i32Add).set(ADVANCE)
    return
  }
  b.get(ENTRY).i32(22).op(Op.i32ShrU).i32(2).op(Op.i32Shl).memory(Op.i32Load, FUSED_POWERS, 2).set(POWER)
  b.get(NEXT)
  b.get(ENTRY).i32(0xffff).op(Op.i32And)
  b.get(AT).memory(I32_LOAD8_S, 1).get(POWER).op(Op.i32Mul, Op.i32Add)
  b.get(PEEK).get(LENGTH).op(Op.i32ShrU).get(POWER).i32(1).op(Op.i32Sub, Op.i32And, Op.i32Add)
  b.memory(Op.i32Store, 4 * e, 2)
  b.get(NEXT).get(LENGTH).memory(Op.i32Store8, 4 * e + 3)
  b.get(LENGTH)
  b.get(ENTRY).i32(22).op(Op.i32ShrU).set(ENTRY)
  b.get(ENTRY).op(Op.i32Add).set(ADVANCE)
}

/** A loop over the slots from SCRATCH to NEXT, `perStep` a step, each step's output at OUT. */
function scratchLoop(b: CodeBuilder, perStep: number, body: () => void): void {
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  b.get(SCRATCH).get(NEXT).op(Op.i32GeU, Op.brIf, 1)
  b.get(OUT)
  body()
  simdMemory(b, Simd.store, 0)
  b.get(OUT).i32(16).op(Op.i32Add).set(OUT)
  b.get(SCRATCH).i32(4 * perStep).op(Op.i32Add).set(SCRATCH)
  b.op(Op.br, 0, Op.end, Op.end)
}

/** Pushes the slots' vector `v` (4 slots) and ORs it into SEEN. */
function slotVector(b: CodeBuilder, v: number): void {
  simdMemory(b.get(SCRATCH), Simd.load, 16 * v).tee(VALUES)
  simd(b.get(SEEN).get(VALUES), Simd.or).set(SEEN)
}

/** 16-bit children: the slots' low halves, then fromOrdered(v) = d ^ (d < 0 ? 0x7fff : 0), d = v - 0x8000 taken as i16 (v ^ 0x8000). */
function fromOrderedHalves(b: CodeBuilder): void {
  simd(b.i32(0x8000), Simd.i16x8Splat).set(BIAS)
  simd(b.i32(0x7fff), Simd.i16x8Splat).set(LOW)
  scratchLoop(b, 8, () => {
    slotVector(b, 0)
    slotVector(b, 1)
    shuffle(b, [0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29])
    simd(b.get(BIAS), Simd.xor).tee(VALUES)
    simd(simd(simd(b.get(VALUES).i32(15), Simd.i16x8ShrS).get(LOW), Simd.and), Simd.xor)
  })
}

/** 8-bit codes: the slots' low bytes, 16 at a time. */
function narrowCodes(b: CodeBuilder): void {
  const lowBytes = [0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28]
  scratchLoop(b, 16, () => {
    slotVector(b, 0)
    slotVector(b, 1)
    shuffle(b, lowBytes)
    slotVector(b, 2)
    slotVector(b, 3)
    shuffle(b, lowBytes)
    shuffle(b, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23])
  })
}

function shuffle(b: CodeBuilder, lanes: number[]): void {
  simd(b, Simd.i8x16Shuffle).op(...lanes)
}

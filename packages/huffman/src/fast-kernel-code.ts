import { Op, Type, VOID_BLOCK, signedLeb, unsignedLeb, type WasmFunction } from './wasm-binary.js'

/** Symbols each stream decodes per round from one 64-bit peek (at least 57 valid bits). */
export const SYMBOLS_PER_ROUND = 4
/** The kernel's tables are indexed by the next 12 stream bits, so it handles codes of up to 12 bits. */
export const KERNEL_BITS = 12
/** Code length per 12-bit index, one byte each; read first, as it is on the critical path. */
export const LENGTHS_ADDRESS = 0
/** Symbol per 12-bit index, `width` bytes each. */
export const SYMBOLS_ADDRESS = LENGTHS_ADDRESS + (1 << KERNEL_BITS)

// Parameters, then locals, by index.
const SRC = 0 // byte address of the block's streams; bit positions count from here
const OUT = 1 // byte address of stream 0's next output
const QUARTER_BYTES = 2 // bytes between two streams' outputs
const ROUNDS = 3
const STATE = 4 // byte address of the four bit positions (i32 each), read at entry, written at exit
const POS = 5 // four locals: each stream's bit position
const OUT_AT = 9 // four locals: each stream's output address
const WORD = 13 // i64: the peeked bits
const INDEX = 14
const LENGTH = 15

/**
 * The decode kernel as WebAssembly: `rounds` rounds in which each of four streams peeks 64
 * bits and decodes four codes from them with the length and symbol tables. The caller proves
 * that every peek and store stays inside the data it placed in memory. Symbols are stored as
 * bytes (`width` 1) or little-endian 16-bit values (`width` 2).
 */
export function kernelFunction(name: string, width: 1 | 2): WasmFunction {
  const code: number[] = []
  const get = (local: number) => code.push(Op.localGet, local)
  const set = (local: number) => code.push(Op.localSet, local)
  const i32 = (value: number) => code.push(Op.i32Const, ...signedLeb(value))
  const memory = (op: number, align: number, offset: number) => code.push(op, align, ...unsignedLeb(offset))

  for (let k = 0; k < 4; k++) {
    get(STATE)
    memory(Op.i32Load, 2, 4 * k)
    set(POS + k)
    get(OUT)
    if (k > 0) {
      get(QUARTER_BYTES)
      i32(k)
      code.push(Op.i32Mul, Op.i32Add)
    }
    set(OUT_AT + k)
  }
  code.push(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  get(ROUNDS)
  code.push(Op.i32Eqz, Op.brIf, 1)
  for (let k = 0; k < 4; k++) {
    // word = load64(src + pos / 8) >> pos % 8
    get(SRC)
    get(POS + k)
    i32(3)
    code.push(Op.i32ShrU, Op.i32Add)
    memory(Op.i64Load, 0, 0)
    get(POS + k)
    i32(7)
    code.push(Op.i32And, Op.i64ExtendI32U, Op.i64ShrU)
    set(WORD)
    for (let j = 0; j < SYMBOLS_PER_ROUND; j++) {
      // index = word & 0xfff; out[j] = symbols[index]; length = lengths[index]; pos += length
      get(WORD)
      code.push(Op.i32WrapI64)
      i32((1 << KERNEL_BITS) - 1)
      code.push(Op.i32And, Op.localTee, INDEX)
      memory(Op.i32Load8U, 0, LENGTHS_ADDRESS)
      set(LENGTH)
      get(OUT_AT + k)
      get(INDEX)
      if (width === 2) {
        i32(1)
        code.push(Op.i32Shl)
      }
      memory(width === 1 ? Op.i32Load8U : Op.i32Load16U, 0, SYMBOLS_ADDRESS)
      memory(width === 1 ? Op.i32Store8 : Op.i32Store16, 0, j * width)
      get(POS + k)
      get(LENGTH)
      code.push(Op.i32Add)
      set(POS + k)
      if (j < SYMBOLS_PER_ROUND - 1) {
        get(WORD)
        get(LENGTH)
        code.push(Op.i64ExtendI32U, Op.i64ShrU)
        set(WORD)
      }
    }
    get(OUT_AT + k)
    i32(SYMBOLS_PER_ROUND * width)
    code.push(Op.i32Add)
    set(OUT_AT + k)
  }
  get(ROUNDS)
  i32(1)
  code.push(Op.i32Sub)
  set(ROUNDS)
  code.push(Op.br, 0, Op.end, Op.end)
  for (let k = 0; k < 4; k++) {
    get(STATE)
    get(POS + k)
    memory(Op.i32Store, 2, 4 * k)
  }
  const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
  return { name, params: i32s(5), locals: [...i32s(8), Type.i64, ...i32s(2)], code }
}

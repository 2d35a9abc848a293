import { CodeBuilder, Op, Type, VOID_BLOCK, type WasmFunction } from '@qchain/huffman'

/**
 * Fixed regions of the adaptive decode kernel's memory (byte addresses); adaptive-kernel.ts
 * fills them and lays out the variable ones (nodes, contexts, symbols, stream) after them.
 */
export const ADAPTIVE_STATE = 0 // the decoder's byte position and code register at exit (i32 each)
/** At 4n per bits-seen count n: the rate floor(65536 / (n + 2)) (bits 0..15) and the next count's entry 4 min(n + 1, RATE_STEPS) (bits 16..). */
export const ADAPTIVE_RATES = 16
/**
 * Per layout, 8 i32: its tree end (the first heap index past a bucket's tree), then for buckets
 * 1..7 the byte offset from the context's first node to the node before the bucket's tree (heap
 * index 1 is the root).
 */
export const ADAPTIVE_LAYOUTS = ADAPTIVE_RATES + 4 * 512
/** Per context: the byte address of its first node, with its layout in bit 0. */
export const ADAPTIVE_CONTEXTS = ADAPTIVE_LAYOUTS + 2 * 32
/**
 * The nodes' states, i32 each: P(bit = 0) in bits 0..15 as adaptive-model.ts keeps it, but the
 * count as its ADAPTIVE_RATES entry's offset (4n) in bits 16.., which saves a shift per bit.
 */
export const ADAPTIVE_NODES = ADAPTIVE_CONTEXTS + 4 * 1024

// Parameters (byte addresses unless said), then locals, by index.
const CONTEXTS = 0 // the elements' contexts (16-bit)
const SYMBOLS = 1 // the output (8-bit)
const COUNT = 2 // elements
const POS = 3 // the next stream byte to read; may run past END
const END = 4 // the stream's end, where a zero byte stands for all those past it
const CODE = 5 // the code register after the first 4 bytes
const SHARED = 6 // the first shared node
const I = 7
const RANGE = 8
const NODE = 9
const STATE = 10
const BOUND = 11
const RATE = 12
const BIT = 13
const BUCKET = 14
const T = 15
const J = 16
const BASE = 17
const LAYOUT = 18
const TREE = 19
const TREE_END = 20
const P = 21
const ONES = 22

const PROBABILITY_MASK = 0xffff
const TOP = 1 << 24

/**
 * adaptive-model.ts's decode of every element (the TypeScript reference): the bucket in unary
 * under the context's nodes, then its mantissa bits through the context's tree and the shared
 * nodes. Every intermediate of adaptive-range-coder.ts's decoder fits an unsigned 32-bit
 * integer (code < 2^32, bound = (range >>> 16) * p < 2^32), so the arithmetic is the same.
 * Stream reads past END read the zero byte at END; node addresses come from the caller's tables
 * and the bucket's bit count only, so no read or write leaves the memory whatever the stream says.
 * Leaves the byte position and code register at ADAPTIVE_STATE for the caller's end check.
 */
export function adaptiveDecodeFunction(name: string): WasmFunction {
  const b = new CodeBuilder()
  b.i32(-1).set(RANGE)
  b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
  {
    b.get(I).get(COUNT).op(Op.i32GeU, Op.brIf, 1)
    b.get(CONTEXTS).get(I).i32(1).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load16U, 0, 1)
    b.i32(2).op(Op.i32Shl).memory(Op.i32Load, ADAPTIVE_CONTEXTS, 2).tee(BASE)
    b.i32(1).op(Op.i32And).i32(5).op(Op.i32Shl).set(LAYOUT)
    b.get(BASE).i32(-4).op(Op.i32And).set(BASE)
    // the bucket: unary bits "bucket > i", at most 8, each test its own branch (they are predicted apart)
    b.op(Op.block, VOID_BLOCK)
    for (let i = 0; i < 8; i++) {
      b.i32(i).set(BUCKET)
      decideBit(b, BASE, 4 * i)
      b.get(BIT).op(Op.i32Eqz, Op.brIf, 0)
    }
    b.i32(8).set(BUCKET)
    b.op(Op.end)
    // t = symbol + 1: 1 then the bucket's mantissa bits (none for bucket 0; bucket 8 is 256 alone)
    b.get(BUCKET).i32(1).op(Op.i32Sub).i32(7).op(Op.i32LtU, Op.if, VOID_BLOCK)
    {
      b.get(BASE).get(LAYOUT).get(BUCKET).i32(2).op(Op.i32Shl, Op.i32Add).memory(Op.i32Load, ADAPTIVE_LAYOUTS, 2).op(Op.i32Add).set(TREE)
      b.get(LAYOUT).memory(Op.i32Load, ADAPTIVE_LAYOUTS, 2).set(TREE_END)
      b.i32(1).set(T)
      b.get(BUCKET).set(J)
      // the context's tree nodes while t is inside the tree, then the shared nodes (bucket, j): two
      // loops, so that a shared node's address waits for no bit
      b.op(Op.block, VOID_BLOCK, Op.loop, VOID_BLOCK)
      {
        b.get(J).i32(1).op(Op.i32Sub).set(J)
        b.get(TREE).get(T).i32(2).op(Op.i32Shl, Op.i32Add).set(NODE)
        nextMantissaBit(b)
        b.get(J).op(Op.i32Eqz, Op.brIf, 1)
        b.get(T).get(TREE_END).op(Op.i32LtU, Op.brIf, 0)
      }
      b.op(Op.end)
      b.get(SHARED).get(BUCKET).i32(5).op(Op.i32Shl, Op.i32Add).set(TREE)
      b.op(Op.loop, VOID_BLOCK)
      {
        b.get(J).i32(1).op(Op.i32Sub).tee(J)
        b.i32(2).op(Op.i32Shl).get(TREE).op(Op.i32Add).set(NODE)
        nextMantissaBit(b)
        b.get(J).op(Op.brIf, 0)
      }
      b.op(Op.end, Op.end)
    }
    b.op(Op.else)
    b.i32(1).get(BUCKET).op(Op.i32Shl).set(T)
    b.op(Op.end)
    b.get(SYMBOLS).get(I).op(Op.i32Add).get(T).i32(1).op(Op.i32Sub).memory(Op.i32Store8)
    b.get(I).i32(1).op(Op.i32Add).set(I)
    b.op(Op.br, 0)
  }
  b.op(Op.end, Op.end)
  b.i32(0).get(POS).memory(Op.i32Store, ADAPTIVE_STATE, 2)
  b.i32(0).get(CODE).memory(Op.i32Store, ADAPTIVE_STATE + 4, 2)
  const i32s = (n: number) => new Array<number>(n).fill(Type.i32)
  return { name, params: i32s(7), locals: i32s(ONES - I + 1), code: b.code }
}

/** T = T followed by the bit under node NODE. */
function nextMantissaBit(b: CodeBuilder): void {
  decideBit(b, NODE, 0)
  b.get(T).i32(1).op(Op.i32Shl).get(BIT).op(Op.i32Or).set(T)
}

/**
 * BIT = the next bit under the node at `address` + `offset`, which then adapts; then the range
 * is renormalised. What depends on the bit is chosen by selects, not branches: the bits are
 * unpredictable.
 */
function decideBit(b: CodeBuilder, address: number, offset: number): void {
  b.get(address).memory(Op.i32Load, offset, 2).tee(STATE).i32(PROBABILITY_MASK).op(Op.i32And).tee(P)
  b.get(RANGE).i32(16).op(Op.i32ShrU, Op.i32Mul).set(BOUND)
  b.get(STATE).i32(16).op(Op.i32ShrU).memory(Op.i32Load, ADAPTIVE_RATES, 2).set(RATE)
  b.i32(0).get(CODE).get(BOUND).op(Op.i32GeU).tee(BIT).op(Op.i32Sub).set(ONES)
  // a 1 takes the top of the range: code -= bound, range -= bound; a 0 keeps the bottom bound
  b.get(CODE).get(BOUND).get(ONES).op(Op.i32And, Op.i32Sub).set(CODE)
  b.get(RANGE).get(BOUND).op(Op.i32Sub).get(BOUND).get(BIT).op(Op.select).set(RANGE)
  // p moves down by (p * rate >>> 16) after a 1, up by ((65536 - p) * rate >>> 16) after a 0
  // (d ^ ones) - ones is -d after a 1; the next count comes from the rate's entry
  b.get(address)
  b.get(P).get(P).i32(0x10000).get(P).op(Op.i32Sub).get(BIT).op(Op.select).get(RATE).i32(PROBABILITY_MASK).op(Op.i32And, Op.i32Mul).i32(16).op(Op.i32ShrU)
  b.get(ONES).op(Op.i32Xor).get(ONES).op(Op.i32Sub, Op.i32Add)
  b.get(RATE).i32(~PROBABILITY_MASK).op(Op.i32And, Op.i32Or).memory(Op.i32Store, offset, 2)
  // range >= 256 after any bit, so at most two bytes
  for (let byte = 0; byte < 2; byte++) {
    b.get(RANGE).i32(TOP).op(Op.i32LtU, Op.if, VOID_BLOCK)
    b.get(CODE).i32(8).op(Op.i32Shl)
    b.get(POS).get(END).get(POS).get(END).op(Op.i32LtU, Op.select).memory(Op.i32Load8U).op(Op.i32Or).set(CODE)
    b.get(POS).i32(1).op(Op.i32Add).set(POS)
    b.get(RANGE).i32(8).op(Op.i32Shl).set(RANGE)
  }
  b.op(Op.end, Op.end)
}

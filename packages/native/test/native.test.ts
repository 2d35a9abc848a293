import { describe, expect, it } from 'vitest'
import { loadNative, type NativeKernels } from '../src/index.js'

// Decoding itself is tested in @qchain/conditional (test/fused.test.ts), row by row against its
// TypeScript loop; here, the checks that keep the kernel's reads and writes inside its memory.

const POSITIONS = 0
const SEEN = 16
const ESCAPE_BITS = 20
const TABLE = 64
const LOOKUP = TABLE + 4 * 256
const COLUMN_BASE = LOOKUP + 64 * 2048 * 2
const COLS = 16
/** Past the column bases: room for a row's parent codes and stream. */
const FREE = COLUMN_BASE + 4 * COLS
const LENGTH = FREE + 4096
/** The output: one row of 16-bit values. */
const output = () => new Uint16Array(COLS)

const layout = (changes: Partial<Record<number, number>> = {}) => {
  const values = Int32Array.of(POSITIONS, SEEN, ESCAPE_BITS, TABLE, LOOKUP, COLUMN_BASE, COLS)
  for (const [at, value] of Object.entries(changes)) values[Number(at)] = value as number
  return values
}

function kernels(): NativeKernels {
  const status = loadNative()
  if (!status.loaded) throw new Error(`@qchain/native did not load: ${status.reason}`)
  return status.kernels
}

describe.skipIf(process.env.QCHAIN_NATIVE === '0')('@qchain/native', () => {
  it('loads its build', () => {
    expect(loadNative()).toMatchObject({ loaded: true })
  })

  it('refuses to bind regions that leave the memory, and then decodes nothing', () => {
    const native = kernels()
    const memory = new ArrayBuffer(LENGTH)
    const refused = [
      layout({ 4: LENGTH - 4096 }), // lookups running past the end
      layout({ 5: LENGTH - 8, 6: COLS }), // column bases past the end
      layout({ 0: LENGTH - 8 }), // positions
      layout({ 3: -4 }), // a negative address
      layout({ 3: TABLE + 2 }), // a table not 4-byte aligned
    ]
    for (const bad of refused) {
      expect(() => native.bindDecode(memory, bad, output())).toThrow(RangeError)
      expect(native.decodeRow(0, FREE, 4, 0, 0)).toBe(-1)
    }
    // a column base pointing past the row table's room
    new Int32Array(memory, COLUMN_BASE, COLS)[3] = (LENGTH - TABLE) / 4
    expect(() => native.bindDecode(memory, layout(), output())).toThrow(RangeError)
    new Int32Array(memory, COLUMN_BASE, COLS)[3] = -1
    expect(() => native.bindDecode(memory, layout(), output())).toThrow(RangeError)
    expect(() => native.bindDecode(new Uint8Array(LENGTH) as unknown as ArrayBuffer, layout(), output())).toThrow(RangeError)
    expect(() => native.bindDecode(memory, new Uint32Array(7) as unknown as Int32Array, output())).toThrow(RangeError)
    expect(() => native.bindDecode(memory, layout(), new Float32Array(COLS) as unknown as Uint16Array)).toThrow(RangeError)
  })

  it('refuses rows whose reads or writes could leave the memory', () => {
    const native = kernels()
    const memory = new ArrayBuffer(LENGTH)
    const out = output().fill(1)
    native.bindDecode(memory, layout(), out)
    const state = new Int32Array(memory, 0, 6)
    // zeros everywhere: every lookup entry is a 0-bit code of high part 0, so each element is
    // its prediction, integer 0, whose fromOrdered pattern is 0xffff
    expect(native.decodeRow(0, FREE, COLS, 0, 0)).toBe(0)
    expect([...out]).toEqual(new Array(COLS).fill(0xffff))
    out.fill(1)
    expect(native.decodeRow(0, FREE, COLS + 1, 0, 0)).toBe(-1) // longer than the bound columns
    expect(native.decodeRow(2 * COLS - 2, FREE, 2, 0, 0)).toBe(-1) // output past the end
    expect(native.decodeRow(0, LENGTH - 1, 2, 0, 2)).toBe(-1) // parent codes past the end
    expect(native.decodeRow(0, FREE, 4, 0, 3)).toBe(-1) // no such indexing
    state[ESCAPE_BITS / 4] = 17 // escapes wider than a 16-bit child
    expect(native.decodeRow(0, FREE, 4, 0, 0)).toBe(-1)
    state[ESCAPE_BITS / 4] = 16
    state[2] = 8 * (LENGTH - 8) // a lane whose reads would pass the end
    expect(native.decodeRow(0, FREE, 4, 0, 0)).toBe(-1)
    state[2] = 0
    expect(native.decodeRow(0, FREE, -1, 0, 0)).toBe(-1) // taken as 2^32 - 1 elements
    expect(() => native.decodeRow(0, FREE, 4, 0, '0' as unknown as number)).toThrow(RangeError)
    expect([...out]).toEqual(new Array(COLS).fill(1)) // nothing written by a refused row
    native.unbind()
    expect(native.decodeRow(0, FREE, 4, 0, 0)).toBe(-1)
  })

  it('refuses rows once the memory or the output was detached', () => {
    const native = kernels()
    for (const detach of ['memory', 'output'] as const) {
      const memory = new ArrayBuffer(LENGTH)
      const out = output()
      native.bindDecode(memory, layout(), out)
      expect(native.decodeRow(0, FREE, 4, 0, 0)).toBe(0)
      structuredClone(detach === 'memory' ? memory : out.buffer, { transfer: [detach === 'memory' ? memory : out.buffer] })
      expect(native.decodeRow(0, FREE, 4, 0, 0)).toBe(-1)
    }
  })

  it('keeps one binding per thread', async () => {
    kernels().bindDecode(new ArrayBuffer(LENGTH), layout(), output())
    const { Worker } = await import('node:worker_threads')
    // a worker loads its own copy of the addon's state: rows there refuse until it binds
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads')
      const kernels = require(workerData)
      parentPort.postMessage(kernels.decodeRow(0, 0, 1, 0, 0))`, { eval: true, workerData: new URL('../build/Release/qchain_native.node', import.meta.url).pathname })
    const message = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))
    expect(message).toBe(-1)
  })

  describe('encoder', () => {
    const HISTOGRAMS = 1024
    const STATE = HISTOGRAMS + 2 * 64 * 256 * 4
    const ENCODE_TABLE = STATE + 16
    const ENCODE_BASES = ENCODE_TABLE + 4 * 256
    const AREA = ENCODE_BASES + 4 * COLS
    const SIZE = AREA + 8192
    const encodeLayout = (changes: Partial<Record<number, number>> = {}) => {
      const values = Int32Array.of(ENCODE_TABLE, ENCODE_BASES, COLS, HISTOGRAMS, STATE, 56)
      for (const [at, value] of Object.entries(changes)) values[Number(at)] = value as number
      return values
    }

    it('refuses to bind regions that leave the memory', () => {
      const native = kernels()
      const memory = new ArrayBuffer(SIZE)
      for (const bad of [encodeLayout({ 3: SIZE - 1024 }), encodeLayout({ 4: SIZE - 8 }), encodeLayout({ 0: SIZE - 512 }), encodeLayout({ 1: SIZE - 4, 2: COLS }), encodeLayout({ 4: STATE + 2 })]) {
        expect(() => native.bindEncode(memory, bad)).toThrow(RangeError)
        expect(native.encodeRow(AREA, AREA, 4, AREA, AREA, AREA, 0)).toBe(-1)
      }
    })

    it('codes a row of predictions as symbols 0 and counts them; refuses rows that could leave the memory', () => {
      const native = kernels()
      const memory = new ArrayBuffer(SIZE)
      const words = new Int32Array(memory)
      // every entry: prediction 0x8000 (the ordered +0), context 5, k 0
      words.fill(0x8000 | (5 << 16), ENCODE_TABLE / 4, ENCODE_TABLE / 4 + 256)
      words[STATE / 4 + 1] = AREA + 4096 // the low bits' address
      native.bindEncode(memory, encodeLayout())
      const [values, parent, symbols, contexts, escapes] = [AREA, AREA + 64, AREA + 128, AREA + 192, AREA + 256]
      new Uint8Array(memory, symbols, COLS).fill(7)
      expect(native.encodeRow(values, parent, COLS, symbols, contexts, escapes, 0)).toBe(0)
      expect([...new Uint8Array(memory, symbols, COLS)]).toEqual(new Array(COLS).fill(0))
      expect([...new Uint16Array(memory, contexts, COLS)]).toEqual(new Array(COLS).fill(5))
      const counts = new Uint32Array(memory, HISTOGRAMS, 2 * 56 * 256)
      expect((counts[5 * 256] as number) + (counts[56 * 256 + 5 * 256] as number)).toBe(COLS)
      expect(native.encodeRow(values, parent, COLS + 1, symbols, contexts, escapes, 0)).toBe(-1)
      expect(native.encodeRow(SIZE - 8, parent, COLS, symbols, contexts, escapes, 0)).toBe(-1)
      expect(native.encodeRow(values, parent, COLS, symbols, SIZE - 16, escapes, 0)).toBe(-1)
      expect(native.encodeRow(values, parent, COLS, symbols, contexts, SIZE - 16, 0)).toBe(-1)
      words[STATE / 4 + 1] = SIZE - 8 // low bits written past the end
      expect(native.encodeRow(values, parent, COLS, symbols, contexts, escapes, 0)).toBe(-1)
      native.bindMemory(memory) // another kind of binding
      expect(native.encodeRow(values, parent, 1, symbols, contexts, escapes, 0)).toBe(-1)
    })

    it('refuses slabs whose codes, escapes or lanes do not fit', () => {
      const native = kernels()
      const memory = new ArrayBuffer(SIZE + 65536)
      const [symbols, contexts, escapes, low, state, codes, out] = [0, 64, 192, 256, 320, 1024, 1024 + 65536]
      const emit = (to: number, childBits = 16, laneBytes = 64) => native.emitSlab(symbols, contexts, 0, to, codes, escapes, low, state, out, childBits, laneBytes)
      native.unbind()
      expect(emit(8)).toBe(-1) // unbound
      native.bindMemory(memory)
      expect(emit(8)).toBe(0) // zeros: 0-bit codes, k = 0
      expect(emit(8, 17)).toBe(-1)
      expect(emit(64, 16, 8)).toBe(-1) // a lane's room under its worst case
      expect(native.emitSlab(symbols, contexts, 0, 8, SIZE + 65536 - 4096, escapes, low, state, out, 16, 64)).toBe(-1) // codes past the end
      expect(emit(8, 16, Math.floor((SIZE + 65536 - out) / 4) + 1)).toBe(-1) // lanes past the end
    })
  })
})

describe('huffmanPrefix', () => {
  // Every code 2 bits long, symbol = those bits: stream k's symbols are its bits two at a time.
  const lengths = new Uint8Array(4096).fill(2)
  const symbols = Uint8Array.from({ length: 4096 }, (_, index) => index & 3)
  const src = Uint8Array.from({ length: 400 }, (_, i) => (i * 37 + 11) & 0xff)
  const expected = (position: number) => (src[position >> 3] as number) >> (position & 7) & 3

  it('decodes the four streams in rounds while its loads stay inside src, and advances the positions', () => {
    const out = new Uint8Array(4 * 100)
    const positions = Int32Array.of(0, 800, 1600, 2400)
    const done = kernels().huffmanPrefix(src, lengths, symbols, out, 0, 100, positions)
    expect(done % 4).toBe(0)
    expect(done).toBeGreaterThanOrEqual(64)
    for (let k = 0; k < 4; k++) {
      expect(positions[k]).toBe(800 * k + 2 * done)
      for (let i = 0; i < done; i++) expect(out[100 * k + i], `stream ${k} symbol ${i}`).toBe(expected(800 * k + 2 * i))
    }
    // the last stream starts 64 bits from the end: one round at most, none past it
    const near = Int32Array.of(0, 0, 0, 8 * src.length - 64)
    expect(kernels().huffmanPrefix(src, lengths, symbols, new Uint8Array(400), 0, 100, near)).toBe(4)
    expect(kernels().huffmanPrefix(src, lengths, symbols, new Uint8Array(400), 0, 100, Int32Array.of(0, 0, 0, 8 * src.length - 63))).toBe(0)
  })

  it('refuses arguments that do not fit together', () => {
    const call = (changes: Partial<{ lengths: Uint8Array; symbols: Uint8Array | Uint16Array; out: Uint8Array | Uint16Array; start: number; quarter: number; positions: Int32Array }>) => () =>
      kernels().huffmanPrefix(src, changes.lengths ?? lengths, changes.symbols ?? symbols, changes.out ?? new Uint8Array(400), changes.start ?? 0, changes.quarter ?? 100, changes.positions ?? new Int32Array(4))
    expect(call({})).not.toThrow()
    expect(call({ lengths: new Uint8Array(4095) })).toThrow(RangeError)
    expect(call({ lengths: new Uint8Array(4096).fill(2).fill(13, 100, 101) })).toThrow(RangeError) // would let a round read past its bound
    expect(call({ symbols: new Uint16Array(4096) })).toThrow(RangeError) // not the output's width
    expect(call({ out: new Uint8Array(399) })).toThrow(RangeError)
    expect(call({ start: 1 })).toThrow(RangeError)
    expect(call({ positions: Int32Array.of(0, 0, -1, 0) })).toThrow(RangeError)
    expect(call({ positions: Int32Array.of(0, 0, 8 * 400 + 1, 0) })).toThrow(RangeError)
    expect(call({ positions: new Int32Array(3) })).toThrow(RangeError)
  })
})

describe('huffmanHistogram and huffmanStreams', () => {
  const symbols = Uint8Array.from({ length: 103 }, (_, i) => (i * 5) & 3)

  it('count a range of symbols, adding to the counts given', () => {
    const counts = new Uint32Array(256).fill(1)
    kernels().huffmanHistogram(symbols, 3, 103, counts)
    const expected = new Uint32Array(256).fill(1)
    for (const symbol of symbols.subarray(3)) expected[symbol] = (expected[symbol] as number) + 1
    expect(counts).toEqual(expected)
    const wide = new Uint32Array(65536)
    kernels().huffmanHistogram(Uint16Array.of(9, 60000, 9), 0, 3, wide)
    expect([wide[9], wide[60000]]).toEqual([2, 1])
  })

  it('write four LSB-first streams back to back, each from a byte boundary', () => {
    // symbol s -> the 2-bit code s (already bit-reversed as the writer takes it)
    const codes = new Uint32Array(256)
    for (let s = 0; s < 4; s++) codes[s] = (s << 4) | 2
    const out = new Uint8Array(200)
    const ends = new Int32Array(4)
    const bytes = kernels().huffmanStreams(symbols, 0, 103, codes, out, ends)
    // quarters of 25 symbols (the last 28): 50, 50, 50 and 56 bits
    expect(Array.from(ends)).toEqual([7, 14, 21, 28])
    expect(bytes).toBe(28)
    const bit = (at: number) => ((out[at >> 3] as number) >> (at & 7)) & 1
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < (k === 3 ? 28 : 25); i++) {
        const at = 8 * (k === 0 ? 0 : (ends[k - 1] as number)) + 2 * i
        expect(bit(at) | (bit(at + 1) << 1), `stream ${k} symbol ${i}`).toBe(symbols[25 * k + i])
      }
    }
  })

  it('refuse ranges outside the symbols, short tables, codes over 14 bits and outputs without room', () => {
    const codes = new Uint32Array(256).fill((1 << 4) | 1)
    const ends = new Int32Array(4)
    expect(() => kernels().huffmanHistogram(symbols, 5, 104, new Uint32Array(256))).toThrow(RangeError)
    expect(() => kernels().huffmanHistogram(Uint16Array.of(1), 0, 1, new Uint32Array(256))).toThrow(RangeError)
    expect(() => kernels().huffmanStreams(symbols, 0, 103, new Uint32Array(255), new Uint8Array(64), ends)).toThrow(RangeError)
    expect(() => kernels().huffmanStreams(symbols, 0, 103, Uint32Array.from(codes, (code, s) => (s === 200 ? (1 << 4) | 15 : code)), new Uint8Array(256), ends)).toThrow(RangeError)
    expect(() => kernels().huffmanStreams(symbols, 0, 103, codes, new Uint8Array(24), ends)).toThrow(RangeError)
    expect(kernels().huffmanStreams(symbols, 0, 103, codes, new Uint8Array(25), ends)).toBe(16)
  })
})

import { describe, expect, it } from 'vitest'
import { ByteWriter, decodeSymbols, encodeSymbols, HuffmanError, sizeBreakdown, writeTable, type HuffmanProblem } from '../src/index.js'
import { laplacianSymbols, seededRandom, uniformSymbols } from './synthetic.js'

/** Runs a decode that must fail with a HuffmanError (of `problem`, when given). */
function expectRefused(bytes: Uint8Array, problem?: HuffmanProblem): void {
  let caught: unknown
  try {
    decodeSymbols(bytes)
  } catch (error) {
    caught = error
  }
  expect(caught, 'decode should have thrown').toBeInstanceOf(HuffmanError)
  if (problem) expect((caught as HuffmanError).problem).toBe(problem)
}

/** A stream header followed by hand-written block bytes. */
function stream(width: 1 | 2, count: number, blockSize: number, write: (out: ByteWriter) => void): Uint8Array {
  const out = new ByteWriter()
  for (const byte of [0x51, 0x48, 1, width]) out.byte(byte)
  out.varint(count)
  out.varint(blockSize)
  write(out)
  return out.result()
}

/** One Huffman block with the given code lengths, escape bits and raw tail bytes after the table. */
function huffmanBlock(lengths: number[], escapeBits: number, rest: number[]): (out: ByteWriter) => void {
  return (out) => {
    const body = new ByteWriter()
    writeTable({ lengths: Uint8Array.from(lengths), escapeBits }, body)
    for (const byte of rest) body.byte(byte)
    out.byte(2)
    out.varint(body.length)
    out.append(body.result())
  }
}

/** Streams that exercise every block kind (Huffman, raw, run), 16-bit escapes and the fast kernel in both widths. */
function sampleStreams(): { symbols: Uint8Array | Uint16Array; bytes: Uint8Array }[] {
  const random = seededRandom(11)
  const bytes8 = new Uint8Array(3000)
  bytes8.set(laplacianSymbols(1000, 3, 127, 128, 12), 0)
  bytes8.set(uniformSymbols(1000, 256, 13), 1000)
  bytes8.fill(9, 2000)
  const wide = Uint16Array.from({ length: 2000 }, () => (random() < 0.8 ? Math.floor(random() * 6) * 5000 : Math.floor(random() * 65536)))
  const wideBytes = laplacianSymbols(4000, 30, 127, 128, 14)
  return [bytes8, wide, wideBytes].map((symbols) => ({ symbols, bytes: encodeSymbols(symbols, { blockSize: 1000 }) }))
}

describe('corrupt input', () => {
  const samples = sampleStreams()

  it('uses every block kind in the samples', () => {
    expect(sizeBreakdown(samples[0]!.bytes).blocks).toEqual({ raw: 1, run: 1, huffman: 1 })
    expect(sizeBreakdown(samples[1]!.bytes).blocks.huffman).toBe(2)
  })

  it('refuses the stream truncated at every position', () => {
    for (const { bytes } of samples) {
      for (let cut = 0; cut < bytes.length; cut++) expectRefused(bytes.subarray(0, cut))
    }
  })

  it('refuses bad magic, version, width, trailing bytes', () => {
    const good = samples[0]!.bytes
    const patched = (at: number, value: number) => Uint8Array.from(good, (byte, i) => (i === at ? value : byte))
    expectRefused(patched(0, 0x52), 'bad-magic')
    expectRefused(patched(2, 2), 'bad-version')
    expectRefused(patched(3, 3), 'bad-header')
    expectRefused(Uint8Array.of(...good, 0), 'trailing-bytes')
  })

  it('refuses huge or malformed length fields before allocating', () => {
    expectRefused(stream(1, 2 ** 31 - 1, 1, () => {}), 'truncated')
    expectRefused(stream(1, 2 ** 32 - 1, 1, () => {}), 'too-large')
    expectRefused(stream(1, 10, 2 ** 24 + 1, () => {}), 'block-size')
    expectRefused(stream(1, 10, 0, () => {}), 'block-size')
    expectRefused(Uint8Array.of(0x51, 0x48, 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f), 'bad-header')
    expectRefused(Uint8Array.of(0x51, 0x48, 1, 1, 0x80, 0x00, 1), 'bad-header')
    expectRefused(stream(1, 3, 3, (out) => (out.byte(0), out.varint(2 ** 30), out.byte(1))), 'truncated')
    // A table of 65537 symbols (varint 0x81 0x80 0x04) for a 16-bit alphabet.
    expectRefused(stream(2, 3, 3, (out) => (out.byte(2), out.varint(5), out.append(Uint8Array.of(0x81, 0x80, 0x04, 0, 0)))), 'bad-table')
  })

  it('refuses wrong block sizes and unknown block modes', () => {
    expectRefused(stream(1, 4, 4, (out) => (out.byte(0), out.varint(3), out.append(Uint8Array.of(1, 2, 3)))), 'block-size')
    expectRefused(stream(2, 2, 2, (out) => (out.byte(0), out.varint(3), out.append(Uint8Array.of(1, 2, 3)))), 'block-size')
    expectRefused(stream(1, 4, 4, (out) => (out.byte(1), out.varint(2), out.append(Uint8Array.of(1, 2)))), 'block-size')
    expectRefused(stream(1, 4, 4, (out) => (out.byte(1), out.varint(2), out.append(Uint8Array.of(0x80, 0x02)))), 'bad-payload')
    expectRefused(stream(1, 4, 4, (out) => (out.byte(3), out.varint(1), out.byte(0))), 'block-mode')
    // Stream lengths that pass the block end.
    expectRefused(stream(1, 4, 4, huffmanBlock([1, 1, 0], 0, [5, 0, 0, 0])), 'block-size')
  })

  it('refuses impossible tables', () => {
    // Over-subscribed (three 1-bit codes), incomplete, a single code.
    expectRefused(stream(1, 4, 4, huffmanBlock([1, 1, 1, 0], 0, [0, 0, 0, 0])), 'kraft')
    expectRefused(stream(1, 4, 4, huffmanBlock([1, 2, 0], 0, [0, 0, 0, 0])), 'kraft')
    expectRefused(stream(1, 4, 4, huffmanBlock([1, 0], 0, [0, 0, 0, 0])), 'bad-table')
    // Lengths above what the decoder's tables allow are not expressible: a nibble of 15 is the
    // maximum, so 16 equal 4-bit codes plus anything else over-subscribes.
    expectRefused(stream(1, 4, 4, huffmanBlock([...new Array(16).fill(4), 15, 0], 0, [0, 0, 0, 0])), 'kraft')
    // Escape wider than the symbols, table longer than the alphabet, escape listed but unused.
    expectRefused(stream(1, 4, 4, huffmanBlock([1, 1], 9, [0, 0, 0, 0])), 'bad-table')
    expectRefused(stream(1, 4, 4, huffmanBlock([...new Array(257).fill(0), 1, 1, 0], 0, [0, 0, 0, 0])), 'bad-table')
    expectRefused(stream(1, 4, 4, huffmanBlock([1, 1, 0], 3, [0, 0, 0, 0])), 'bad-table')
    // Padding nibble not zero: one symbol, so one token (length 1), then 0xF in the high half.
    expectRefused(stream(1, 4, 4, (out) => (out.byte(2), out.varint(6), out.append(Uint8Array.of(1, 0, 0xf1, 0, 0, 0)))), 'bad-table')
  })

  it('refuses payloads that end early, late or with bad padding', () => {
    // Two 1-bit codes, 8 symbols = 2 per stream: stream lengths 1,1,1 + 1 byte left.
    const block = (streams: number[], rest: number[]) => stream(1, 8, 8, huffmanBlock([1, 1, 0], 0, [...streams, ...rest]))
    expect(Array.from(decodeSymbols(block([1, 1, 1], [0b01, 0b10, 0b11, 0b00])))).toEqual([1, 0, 0, 1, 1, 1, 0, 0])
    expectRefused(block([1, 1, 1], [0b101, 0, 0, 0]), 'bad-payload')
    expectRefused(block([2, 1, 0], [0, 0, 0, 0]), 'bad-payload')
    expectRefused(block([0, 1, 1], [0, 0, 0, 0]), 'truncated')
  })

  it('refuses garbage', () => {
    const random = seededRandom(21)
    for (let i = 0; i < 200; i++) {
      const garbage = Uint8Array.from({ length: 4 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))
      if (i % 2) garbage.set([0x51, 0x48, 1, 1 + (i % 4 === 1 ? 1 : 0)])
      expectRefused(garbage)
    }
  })

  it('either refuses or decodes to a well-formed result under random mutations', () => {
    const random = seededRandom(31)
    let refused = 0
    for (let i = 0; i < 400; i++) {
      const { symbols, bytes } = samples[i % samples.length]!
      const mutated = bytes.slice()
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        const at = Math.floor(random() * mutated.length)
        mutated[at] = random() < 0.5 ? (mutated[at] as number) ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256)
      }
      try {
        const decoded = decodeSymbols(mutated)
        expect(decoded.constructor).toBe(symbols.constructor)
        expect(decoded.length).toBe(symbols.length)
      } catch (error) {
        if (!(error instanceof HuffmanError)) throw error
        refused++
      }
    }
    expect(refused).toBeGreaterThan(50)
  })
})

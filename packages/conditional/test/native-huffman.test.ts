import { decodeSymbols, encodeSymbols, HuffmanError, useNativeHuffman, type NativeHuffman } from '@qchain/huffman'
import { loadNative } from '@qchain/native'
import { afterEach, describe, expect, it } from 'vitest'
import { seededRandom } from './random.js'

// @qchain/huffman's kernels from @qchain/native (installed by this package's Node entry) against
// its WebAssembly kernels: the same bytes encoded, the same symbols and refusals decoded.
const native = loadNative()

afterEach(() => useNativeHuffman(null))

/** Geometric symbols over `alphabet` values (P(k) ~ 0.7^k), so codes run from 1 to 12 bits with no escape. */
function skewed(count: number, alphabet: number, seed: number, wide: boolean): Uint8Array | Uint16Array {
  const random = seededRandom(seed)
  const out = wide ? new Uint16Array(count) : new Uint8Array(count)
  for (let i = 0; i < count; i++) out[i] = Math.min(alphabet - 1, Math.floor(Math.log(1 - random()) / Math.log(0.7))) * (wide ? 2039 : 1)
  return out
}

/** What a decode gives: its symbols, or its refusal's problem. */
function outcome(stream: Uint8Array): Uint8Array | Uint16Array | string {
  try {
    return decodeSymbols(stream)
  } catch (error) {
    if (error instanceof HuffmanError) return error.problem
    throw error
  }
}

describe.skipIf(!native.loaded)('the native Huffman kernels', () => {
  const kernels = native.loaded ? native.kernels : null
  /** The native kernels, with some calls replaced (to watch them). */
  const watched = (calls: Partial<NativeHuffman>): NativeHuffman => ({
    huffmanPrefix: (...call) => (kernels as NativeHuffman).huffmanPrefix(...call),
    huffmanHistogram: (...call) => (kernels as NativeHuffman).huffmanHistogram(...call),
    huffmanStreams: (...call) => (kernels as NativeHuffman).huffmanStreams(...call),
    ...calls,
  })
  const cases = [
    { name: '8-bit, 1M symbols in blocks of 512K', symbols: skewed(1 << 20, 20, 1, false), blockSize: undefined },
    { name: '8-bit, small blocks (tails of every length)', symbols: skewed(100_003, 16, 2, false), blockSize: 997 },
    { name: '16-bit, 300K symbols', symbols: skewed(300_000, 18, 3, true), blockSize: 65_536 },
    { name: 'two symbols', symbols: Uint8Array.from({ length: 70_001 }, (_, i) => (i % 7 === 0 ? 9 : 4)), blockSize: undefined },
  ]

  it.each(cases)('decodes $name as the WebAssembly kernel does', ({ symbols, blockSize }) => {
    const stream = encodeSymbols(symbols, blockSize === undefined ? {} : { blockSize })
    let decodedFast = 0
    useNativeHuffman(
      watched({
        huffmanPrefix: (...call) => {
          const done = (kernels as NativeHuffman).huffmanPrefix(...call)
          decodedFast += done
          return done
        },
      }),
    )
    const fast = decodeSymbols(stream)
    useNativeHuffman(null)
    // the kernel did the bulk of the work; the careful loop only the tails
    expect(4 * decodedFast).toBeGreaterThan(symbols.length * 0.9)
    expect(Buffer.compare(Buffer.from(fast.buffer, fast.byteOffset, fast.byteLength), Buffer.from(symbols.buffer, symbols.byteOffset, symbols.byteLength))).toBe(0)
  })

  it.each(cases)('encodes $name to the bytes the WebAssembly kernels write', ({ symbols, blockSize }) => {
    const options = blockSize === undefined ? {} : { blockSize }
    let written = 0
    useNativeHuffman(watched({ huffmanStreams: (...call) => (written++, (kernels as NativeHuffman).huffmanStreams(...call)) }))
    const fast = encodeSymbols(symbols, options)
    useNativeHuffman(null)
    expect(written).toBeGreaterThan(0)
    expect(Buffer.compare(fast, encodeSymbols(symbols, options))).toBe(0)
  })

  it('leaves blocks with escapes or long codes to the TypeScript writer, with the same bytes', () => {
    // a long tail of rare symbols: escape codes, which the native writer does not take
    const random = seededRandom(6)
    const symbols = Uint16Array.from({ length: 200_000 }, () => (random() < 0.999 ? Math.floor(random() * 4) : Math.floor(random() * 65_536)))
    useNativeHuffman(kernels)
    const fast = encodeSymbols(symbols)
    useNativeHuffman(null)
    expect(Buffer.compare(fast, encodeSymbols(symbols))).toBe(0)
  })

  it('refuses damaged streams as the WebAssembly kernel does', () => {
    const stream = encodeSymbols(skewed(200_000, 20, 4, false), { blockSize: 50_000 })
    const random = seededRandom(5)
    for (let trial = 0; trial < 40; trial++) {
      const damaged = stream.slice()
      const at = 32 + Math.floor(random() * (damaged.length - 32))
      damaged[at] = (damaged[at] as number) ^ (1 << Math.floor(random() * 8))
      useNativeHuffman(kernels)
      const fast = outcome(damaged)
      useNativeHuffman(null)
      const reference = outcome(damaged)
      if (typeof reference === 'string') expect(fast, `byte ${at}`).toBe(reference)
      else expect(Buffer.compare(Buffer.from(fast as Uint8Array), Buffer.from(reference)), `byte ${at}`).toBe(0)
    }
  })
})

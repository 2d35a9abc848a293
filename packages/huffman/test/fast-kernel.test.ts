import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeSymbols, encodeSymbols, HuffmanError, type SymbolArray } from '../src/index.js'
import { geometricSymbols, laplacianSymbols, seededRandom } from './synthetic.js'

/** Inputs that reach the WebAssembly kernel (no escapes, codes of at most 12 bits) in both widths and near its size threshold. */
function kernelCases(): { symbols: SymbolArray; blockSize: number }[] {
  const random = seededRandom(41)
  return [
    { symbols: laplacianSymbols(300_000, 20, 127, 128, 42), blockSize: 65536 },
    { symbols: geometricSymbols(100_000, 0.3, 255, 43), blockSize: 131072 },
    { symbols: Uint16Array.from({ length: 100_000 }, () => 40_000 + Math.floor(60 * random() * random())), blockSize: 32768 },
    ...[63, 64, 65, 66, 67].map((blockSize) => ({ symbols: laplacianSymbols(1000, 3, 127, 128, blockSize), blockSize })),
  ]
}

function sameSymbols(a: SymbolArray, b: SymbolArray): boolean {
  return a.constructor === b.constructor && a.length === b.length && a.every((value, i) => value === b[i])
}

describe('fast decode kernel', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('decodes exactly what the careful loop alone decodes (WebAssembly unavailable)', async () => {
    vi.stubGlobal('WebAssembly', undefined)
    vi.resetModules()
    const withoutKernel = await import('../src/index.js')
    for (const { symbols, blockSize } of kernelCases()) {
      const encoded = encodeSymbols(symbols, { blockSize })
      expect(sameSymbols(decodeSymbols(encoded), symbols)).toBe(true)
      expect(sameSymbols(withoutKernel.decodeSymbols(encoded), symbols)).toBe(true)
    }
  })

  it('refuses or decodes well-formed output when long streams are corrupted', () => {
    const random = seededRandom(44)
    const symbols = laplacianSymbols(40_000, 20, 127, 128, 45)
    const encoded = encodeSymbols(symbols)
    for (let i = 0; i < 100; i++) {
      const mutated = encoded.slice()
      const at = 40 + Math.floor(random() * (mutated.length - 40))
      mutated[at] = (mutated[at] as number) ^ (1 << Math.floor(random() * 8))
      try {
        expect(decodeSymbols(mutated).length).toBe(symbols.length)
      } catch (error) {
        // A flip often just swaps codes of one length (a valid stream); anything else must be refused.
        if (!(error instanceof HuffmanError)) throw error
      }
    }
  })
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeSymbols, encodeSymbols, type SymbolArray } from '../src/index.js'
import { encodeModule } from '../src/fast-encode.js'
import { ISNET_PATH, loadIsnetInt8Codes } from './isnet-level.js'
import { existsSync } from 'node:fs'
import { geometricSymbols, laplacianSymbols, seededRandom, uniformSymbols } from './synthetic.js'

/** Inputs for both kernel paths: short and long codes, 16-bit symbols, escapes (the TypeScript writer), tiny blocks. */
function cases(): { symbols: SymbolArray; options: Parameters<typeof encodeSymbols>[1] }[] {
  const random = seededRandom(51)
  return [
    { symbols: laplacianSymbols(300_000, 20, 127, 128, 52), options: {} },
    { symbols: geometricSymbols(200_000, 0.45, 255, 53), options: { maxCodeLength: 14 } },
    { symbols: geometricSymbols(200_000, 0.45, 255, 54), options: { maxCodeLength: 15 } },
    { symbols: uniformSymbols(70_000, 256, 55), options: { blockSize: 1000 } },
    { symbols: Uint16Array.from({ length: 100_000 }, () => 40_000 + Math.floor(60 * random() * random())), options: { blockSize: 32768 } },
    { symbols: Uint16Array.from({ length: 50_000 }, () => (random() < 0.999 ? Math.floor(8 * random()) : Math.floor(65536 * random()))), options: {} },
    ...[1, 3, 4, 5, 7, 9].map((count) => ({ symbols: laplacianSymbols(count, 3, 127, 128, count), options: {} })),
  ]
}

describe('encode kernel', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('stays under the 4 KB browsers compile synchronously on a main thread', () => {
    expect(encodeModule().length).toBeLessThan(4096)
  })

  it('writes the same bytes as the TypeScript loops (WebAssembly unavailable)', async () => {
    vi.stubGlobal('WebAssembly', undefined)
    vi.resetModules()
    const withoutKernel = await import('../src/index.js')
    vi.unstubAllGlobals()
    for (const { symbols, options } of cases()) {
      const encoded = encodeSymbols(symbols, options)
      expect(Buffer.from(withoutKernel.encodeSymbols(symbols, options)).equals(Buffer.from(encoded))).toBe(true)
      expect(Array.from(decodeSymbols(encoded))).toEqual(Array.from(symbols))
    }
  })

  it.skipIf(!existsSync(ISNET_PATH))('writes the same bytes on the isnet int8 level', async () => {
    const codes = await loadIsnetInt8Codes(3_000_000)
    vi.stubGlobal('WebAssembly', undefined)
    vi.resetModules()
    const withoutKernel = await import('../src/index.js')
    vi.unstubAllGlobals()
    for (const maxCodeLength of [11, 12]) {
      const encoded = encodeSymbols(codes, { maxCodeLength })
      expect(Buffer.from(withoutKernel.encodeSymbols(codes, { maxCodeLength })).equals(Buffer.from(encoded))).toBe(true)
    }
  })
})

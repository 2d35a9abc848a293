import { afterEach, describe, expect, it, vi } from 'vitest'
import { ByteWriter } from '@qchain/huffman'
import { adaptiveKernelModule, decodeAdaptiveInKernel } from '../src/adaptive-kernel.js'
import { readAdaptiveSymbols, writeAdaptiveSymbols } from '../src/adaptive-symbols.js'
import { ConditionalError } from '../src/errors.js'
import { Reader } from '../src/reader.js'
import { seededRandom } from './random.js'
import { expectRefused, withoutWebAssembly } from './module-copies.js'
import { useNativeKernels } from '../src/native-kernels.js'
import { planNodes } from '../src/adaptive-model.js'
import { loadNative } from '@qchain/native'

function written(symbols: Uint8Array, contexts: Uint16Array): Uint8Array {
  const out = new ByteWriter()
  writeAdaptiveSymbols(symbols, contexts, out)
  return out.result()
}

function read(bytes: Uint8Array, contexts: Uint16Array): Uint8Array {
  const symbols = new Uint8Array(contexts.length)
  const reader = new Reader(bytes)
  readAdaptiveSymbols(reader, contexts, symbols)
  reader.expectEnd()
  return symbols
}

/** Geometric-ish symbols whose spread depends on the context, with a few escapes; `contextCount` contexts spread over k and ids. */
function skewed(n: number, contextCount: number, seed: number): { symbols: Uint8Array; contexts: Uint16Array } {
  const random = seededRandom(seed)
  const symbols = new Uint8Array(n)
  const contexts = new Uint16Array(n)
  for (let i = 0; i < n; i++) {
    const c = Math.floor(random() * contextCount)
    contexts[i] = ((c % 12) << 6) | (c % 56)
    const spread = 1 + (c % 7) * 4
    const s = Math.floor(-spread * Math.log(1 - random()))
    symbols[i] = random() < 0.002 ? 255 : Math.min(s, 254)
  }
  return { symbols, contexts }
}

/** The stream with its varint length replaced by `length`. */
function withLength(length: number, payload: Uint8Array): Uint8Array {
  const out = new ByteWriter()
  out.varint(length)
  out.append(payload)
  return out.result()
}

function payloadOf(bytes: Uint8Array): Uint8Array {
  const reader = new Reader(bytes)
  const length = reader.varint('length')
  return reader.take(length, 'payload')
}

describe('adaptive symbols', () => {
  it('round-trips skewed symbols over many contexts', () => {
    for (const [n, contextCount, seed] of [[20000, 3, 1], [50000, 60, 2], [3000, 700, 3]] as const) {
      const { symbols, contexts } = skewed(n, contextCount, seed)
      expect(read(written(symbols, contexts), contexts)).toEqual(symbols)
    }
  })

  it('codes a skewed source near its entropy', () => {
    const { symbols, contexts } = skewed(100000, 4, 4)
    const counts = new Map<number, Uint32Array>()
    symbols.forEach((s, i) => ((counts.get(contexts[i] as number) ?? counts.set(contexts[i] as number, new Uint32Array(256)).get(contexts[i] as number)!)[s]! += 1))
    let entropy = 0
    for (const histogram of counts.values()) {
      const total = histogram.reduce((a, b) => a + b, 0)
      for (const c of histogram) if (c > 0) entropy -= c * Math.log2(c / total)
    }
    expect((8 * written(symbols, contexts).length) / entropy).toBeLessThan(1.02)
  })

  it('round-trips constant and tiny inputs', () => {
    const cases = [new Uint8Array(5000), new Uint8Array(5000).fill(255), Uint8Array.of(7), Uint8Array.of(255), new Uint8Array(0)]
    for (const symbols of cases) {
      const contexts = new Uint16Array(symbols.length).fill((11 << 6) | 55)
      const bytes = written(symbols, contexts)
      expect(read(bytes, contexts)).toEqual(symbols)
    }
    // a long run of one symbol costs next to nothing
    expect(written(new Uint8Array(5000), new Uint16Array(5000)).length).toBeLessThan(20)
  })

  it('round-trips every symbol in every bucket under the largest contexts', () => {
    const symbols = Uint8Array.from({ length: 4096 }, (_, i) => (i * 97) & 255)
    const contexts = Uint16Array.from({ length: 4096 }, (_, i) => 1023 - (i % 3) * 30)
    expect(read(written(symbols, contexts), contexts)).toEqual(symbols)
  })

  it('writes the same bytes twice', () => {
    const { symbols, contexts } = skewed(30000, 20, 5)
    expect(written(symbols, contexts)).toEqual(written(symbols, contexts))
  })

  it('refuses truncated streams and wrong declared lengths', () => {
    const { symbols, contexts } = skewed(4000, 10, 6)
    const bytes = written(symbols, contexts)
    const payload = payloadOf(bytes)
    for (let cut = 0; cut < bytes.length; cut++) expectRefused(() => read(bytes.subarray(0, cut), contexts), 'truncated')
    // a length that lies (the bytes are there, or missing) is refused by the coder's end check
    for (let drop = 1; drop <= 8; drop++) expectRefused(() => read(withLength(payload.length - drop, payload.subarray(0, payload.length - drop)), contexts), 'bad-payload')
    for (let drop = 1; drop <= 8; drop++) expectRefused(() => read(withLength(payload.length - drop, payload), contexts).length, 'bad-payload')
    const longer = new Uint8Array(payload.length + 3)
    longer.set(payload)
    for (let extra = 1; extra <= 3; extra++) expectRefused(() => read(withLength(payload.length + extra, longer.subarray(0, payload.length + extra)), contexts), 'bad-payload')
  })

  it('refuses or decodes (without overrunning) a corrupted stream', () => {
    const { symbols, contexts } = skewed(4000, 10, 7)
    const bytes = written(symbols, contexts)
    const random = seededRandom(8)
    let refused = 0
    for (let trial = 0; trial < 200; trial++) {
      const damaged = bytes.slice()
      const at = 2 + Math.floor(random() * (damaged.length - 2))
      damaged[at] = (damaged[at] as number) ^ (1 + Math.floor(random() * 255))
      try {
        read(damaged, contexts)
      } catch (error) {
        if (!(error instanceof ConditionalError)) throw error
        refused++
      }
    }
    // the end check catches nearly every flip: the final code register must be exactly 0
    expect(refused).toBeGreaterThan(190)
  })
})

type ReadSymbols = typeof readAdaptiveSymbols
type ReaderClass = typeof Reader

/** What a decode gives: every symbol (both decoders write them all before the end check) and the refusal's problem, or the thrown error's class name. */
interface Outcome {
  symbols: Uint8Array
  problem: string | null
}

function outcome(readSymbols: ReadSymbols, ReaderOf: ReaderClass, bytes: Uint8Array, contexts: Uint16Array): Outcome {
  const symbols = new Uint8Array(contexts.length)
  try {
    readSymbols(new ReaderOf(bytes), contexts, symbols)
    return { symbols, problem: null }
  } catch (error) {
    // module copies have their own error classes, hence the name test
    if (!(error instanceof Error)) throw error
    return { symbols, problem: error.constructor.name === ConditionalError.name ? (error as ConditionalError).problem : error.constructor.name }
  }
}

/** A copy of the module that runs with WebAssembly hidden, so it takes the TypeScript decoder (the kernel loads on first use, so each call hides it again). */
async function typescriptOnly(): Promise<(bytes: Uint8Array, contexts: Uint16Array) => Outcome> {
  vi.resetModules()
  const symbolsCopy = await import('../src/adaptive-symbols.js')
  const readerCopy = await import('../src/reader.js')
  const kernelCopy = await import('../src/adaptive-kernel.js')
  // the copy's kernel is out of reach: every decode below takes the TypeScript loop
  expect(withoutWebAssembly(() => kernelCopy.decodeAdaptiveInKernel(new Uint8Array(4), 0, 4, new Uint16Array(1), new Uint8Array(1)))).toBeUndefined()
  return (bytes, contexts) => withoutWebAssembly(() => outcome(symbolsCopy.readAdaptiveSymbols, readerCopy.Reader, bytes, contexts))
}

/** Uniform symbols under uniform contexts over all 1024 (both families, every k). */
function uniform(n: number, seed: number): { symbols: Uint8Array; contexts: Uint16Array } {
  const random = seededRandom(seed)
  return { symbols: Uint8Array.from({ length: n }, () => Math.floor(random() * 256)), contexts: Uint16Array.from({ length: n }, () => Math.floor(random() * 1024)) }
}

describe('adaptive symbols in the WebAssembly kernel', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('assembles a module under the 4 KB browsers compile synchronously, and runs it here', () => {
    expect(adaptiveKernelModule().length).toBeLessThan(4096)
    const { symbols, contexts } = skewed(1000, 30, 20)
    const payload = payloadOf(written(symbols, contexts))
    const back = new Uint8Array(contexts.length)
    expect(decodeAdaptiveInKernel(payload, 0, payload.length, contexts, back)).toBe(true)
    expect(back).toEqual(symbols)
  })

  it('decodes what the TypeScript decoder decodes, on random, skewed and tiny inputs', async () => {
    const reference = await typescriptOnly()
    const cases = [uniform(30000, 21), uniform(700, 22), skewed(50000, 60, 23), skewed(20000, 700, 24), skewed(5000, 1, 25)]
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 255, 256, 257]) cases.push(uniform(n, 100 + n), skewed(n, 5, 200 + n))
    for (const { symbols, contexts } of cases) {
      const bytes = written(symbols, contexts)
      const kernel = outcome(readAdaptiveSymbols, Reader, bytes, contexts)
      expect(kernel).toEqual({ symbols, problem: null })
      expect(reference(bytes, contexts)).toEqual(kernel)
    }
  })

  it('decodes and refuses short, long, damaged and random streams as the TypeScript decoder does', async () => {
    const reference = await typescriptOnly()
    const random = seededRandom(26)
    const expectSame = (bytes: Uint8Array, contexts: Uint16Array) => expect(outcome(readAdaptiveSymbols, Reader, bytes, contexts)).toEqual(reference(bytes, contexts))
    for (const { symbols, contexts } of [skewed(3000, 40, 27), uniform(2000, 28), skewed(40, 3, 29), uniform(3, 30)]) {
      const bytes = written(symbols, contexts)
      const payload = payloadOf(bytes)
      // cut streams, and declared lengths around the end, so reads run past it by 0 to many bytes
      for (let cut = 0; cut < bytes.length; cut += 1 + Math.floor(bytes.length / 200)) expectSame(bytes.subarray(0, cut), contexts)
      for (let length = 0; length <= payload.length + 4; length += length < 8 || length > payload.length - 8 ? 1 : 1 + Math.floor(payload.length / 50)) {
        const padded = new Uint8Array(length)
        padded.set(payload.subarray(0, length))
        expectSame(withLength(length, padded), contexts)
      }
      for (let trial = 0; trial < 60; trial++) {
        const damaged = bytes.slice()
        const at = 1 + Math.floor(random() * (damaged.length - 1))
        damaged[at] = (damaged[at] as number) ^ (1 + Math.floor(random() * 255))
        expectSame(damaged, contexts)
      }
      for (const length of [0, 1, 3, 4, 5, 9, 100]) expectSame(withLength(length, Uint8Array.from({ length }, () => Math.floor(random() * 256))), contexts)
    }
    // an all-ones stream starts with the code register at the top of the range, where no coded stream starts
    expectSame(withLength(300, new Uint8Array(300).fill(0xff)), uniform(5000, 31).contexts)
  })

  it('refuses contexts of 1024 and above as the TypeScript decoder does', async () => {
    const reference = await typescriptOnly()
    const bytes = withLength(4, new Uint8Array(4))
    const contexts = Uint16Array.of(3, 1024)
    expect(outcome(readAdaptiveSymbols, Reader, bytes, contexts).problem).toBe('RangeError')
    expect(reference(bytes, contexts).problem).toBe('RangeError')
  })
})

const native = loadNative()

describe.skipIf(!native.loaded)('adaptive symbols by the native encoder', () => {
  afterEach(() => useNativeKernels(null))
  const kernels = () => {
    if (!native.loaded) throw new Error(native.reason)
    return native.kernels
  }

  it("writes the TypeScript encoder's bytes: skewed, constant, tiny and empty inputs, every bucket, the largest contexts", () => {
    const constant = (symbols: Uint8Array) => ({ symbols, contexts: new Uint16Array(symbols.length).fill((11 << 6) | 55) })
    const inputs = [
      skewed(20000, 3, 1),
      skewed(50000, 60, 2),
      skewed(3000, 700, 3),
      { symbols: Uint8Array.from({ length: 4096 }, (_, i) => (i * 97) & 255), contexts: Uint16Array.from({ length: 4096 }, (_, i) => 1023 - (i % 3) * 30) },
      ...[new Uint8Array(5000), new Uint8Array(5000).fill(255), Uint8Array.of(7), new Uint8Array(0)].map(constant),
    ]
    for (const { symbols, contexts } of inputs) {
      useNativeKernels(null)
      const reference = written(symbols, contexts)
      useNativeKernels(kernels())
      expect(written(symbols, contexts)).toEqual(reference)
    }
  })

  it('refuses contexts without nodes and plans whose nodes do not fit', () => {
    const { symbols, contexts } = skewed(2000, 30, 4)
    const plan = planNodes(contexts)
    useNativeKernels(kernels())
    const reference = written(symbols, contexts)
    // the model array as writeAdaptiveSymbols builds it: take it from a call
    let model = new Int32Array(0)
    useNativeKernels({ ...kernels(), adaptiveEncode: (s, c, b, l, m) => ((model = m), kernels().adaptiveEncode(s, c, b, l, m)) })
    expect(written(symbols, contexts)).toEqual(reference)
    const encode = (base: Int32Array, changed = model) => () => kernels().adaptiveEncode(symbols, contexts, base, plan.layout, changed)
    const missing = plan.base.slice()
    missing[contexts[0] as number] = -1
    expect(encode(missing)).toThrow(RangeError)
    const far = plan.base.slice()
    far[contexts[0] as number] = plan.shared
    expect(encode(far)).toThrow(RangeError)
    expect(encode(plan.base, Int32Array.of(plan.shared, plan.shared, ...model.subarray(2)))).toThrow(RangeError) // no room for the shared nodes
    expect(encode(plan.base, model.subarray(0, 30))).toThrow(RangeError) // rates missing
    const counted = model.slice()
    counted[2] = ((model[3] as number) + 1) << 16 // nodes starting with a count past the rates
    expect(encode(plan.base, counted)).toThrow(RangeError)
  })
})


import { Buffer } from 'node:buffer'
import { decodeSymbols, encodeSymbols, type EncodeOptions, type SymbolArray } from '@qchain/huffman'
import { mutateBytes } from '../mutate.js'
import { OK, wrong, type FuzzTarget, type Verdict } from '../outcome.js'
import { Rng } from '../rng.js'

interface Stream {
  symbols: SymbolArray
  bytes: Uint8Array
}

const sameSymbols = (a: SymbolArray, b: SymbolArray) => a.BYTES_PER_ELEMENT === b.BYTES_PER_ELEMENT && Buffer.compare(asBytes(a), asBytes(b)) === 0
const asBytes = (symbols: SymbolArray) => new Uint8Array(symbols.buffer, symbols.byteOffset, symbols.byteLength)

/** Valid streams that reach every block mode: skewed (Huffman), single-symbol (run), uniform (raw), escapes, long codes. */
function buildStreams(): Stream[] {
  const rng = new Rng(0x4855)
  const streams: Stream[] = []
  const shapes: { width: 1 | 2; count: number; source: (rng: Rng) => number; options: EncodeOptions }[] = [
    { width: 1, count: 0, source: () => 0, options: {} },
    { width: 1, count: 1, source: () => 7, options: {} },
    { width: 1, count: 3000, source: (r) => r.geometric(0.3, 255), options: {} },
    { width: 1, count: 2000, source: (r) => r.geometric(0.3, 255), options: { blockSize: 333 } },
    { width: 1, count: 500, source: () => 42, options: { blockSize: 100 } },
    { width: 1, count: 700, source: (r) => r.int(256), options: { blockSize: 256 } },
    { width: 1, count: 4000, source: (r) => r.geometric(0.05, 255), options: { maxCodeLength: 15 } },
    { width: 1, count: 1500, source: (r) => (r.chance(0.5) ? 0 : r.geometric(0.5, 255)), options: { maxCodeLength: 4, blockSize: 64 } },
    { width: 2, count: 3000, source: (r) => r.geometric(0.2, 65535), options: {} },
    { width: 2, count: 2500, source: (r) => (r.chance(0.95) ? r.geometric(0.4, 30) : r.int(65536)), options: { blockSize: 500 } },
    { width: 2, count: 300, source: () => 0xbeef, options: {} },
    { width: 2, count: 400, source: (r) => r.int(65536), options: {} },
  ]
  for (const { width, count, source, options } of shapes) {
    const symbols = width === 1 ? new Uint8Array(count) : new Uint16Array(count)
    for (let i = 0; i < count; i++) symbols[i] = source(rng)
    streams.push({ symbols, bytes: encodeSymbols(symbols, options) })
  }
  return streams
}

/** Huffman streams: a decode of mutated bytes may succeed (no checksum), but only with the declared width. */
export const huffmanTarget: FuzzTarget = {
  name: 'huffman',
  async prepare() {
    const streams = buildStreams()
    return {
      async run(rng, log): Promise<Verdict> {
        const stream = rng.pick(streams)
        const { bytes, did } = mutateBytes(stream.bytes, rng)
        const intoOutput = rng.chance(0.3)
        log.push(`stream of ${stream.symbols.length} x ${stream.symbols.BYTES_PER_ELEMENT * 8}-bit symbols, ${did}${intoOutput ? ', into an output array' : ''}`)
        const out = intoOutput ? new (stream.symbols.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(stream.symbols.length + rng.int(3)) : undefined
        const decoded = decodeSymbols(bytes, out)
        if (Buffer.compare(bytes, stream.bytes) === 0 && !sameSymbols(decoded, stream.symbols)) return wrong('an unchanged stream decoded to other symbols')
        const width = bytes[3]
        if (out && decoded.buffer !== out.buffer) return wrong('decoding into an output array allocated a new one')
        // With or without an output array, symbols of one width must not land in an array of another (silent
        // truncation). An empty stream has no block to check its width against, and nothing to truncate.
        if (decoded.length > 0 && decoded.BYTES_PER_ELEMENT !== width) return wrong(`a stream of width ${width} decoded to ${decoded.BYTES_PER_ELEMENT}-byte symbols`)
        return OK
      },
    }
  },
}

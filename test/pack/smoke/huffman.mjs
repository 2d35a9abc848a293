// @qchain/huffman: skewed 8- and 16-bit symbols round-trip exactly and the stream is smaller.
import { decodeSymbols, encodeSymbols, entropyBits, histogram, sizeBreakdown } from '@qchain/huffman'
import { check, sameBytes, seededRandom } from './check.mjs'

const random = seededRandom(1)
// Geometric-ish symbols around 128, like int8 weight codes; long enough for several blocks.
const bytes = new Uint8Array(300_000)
for (let i = 0; i < bytes.length; i++) bytes[i] = 128 + Math.round(Math.log(random()) * (random() < 0.5 ? 3 : -3))

const packed = encodeSymbols(bytes, { blockSize: 65_536 })
check(packed.length < bytes.length * 0.7, `compressed ${bytes.length} -> ${packed.length} bytes`)
check(packed.length * 8 >= entropyBits(histogram(bytes)), 'not below the order-0 entropy')
check(sizeBreakdown(packed).totalBytes === packed.length, 'size breakdown adds up')
sameBytes(decodeSymbols(packed), bytes, '8-bit round trip')
const into = new Uint8Array(bytes.length)
check(decodeSymbols(packed, into).buffer === into.buffer, 'decodes into a given buffer')
sameBytes(into, bytes, '8-bit round trip into a buffer')

const wide = new Uint16Array(50_000)
for (let i = 0; i < wide.length; i++) wide[i] = i % 7 === 0 ? Math.floor(random() * 65_536) : 1000 + (i % 5)
const decoded = decodeSymbols(encodeSymbols(wide))
check(decoded instanceof Uint16Array, '16-bit streams decode to Uint16Array')
sameBytes(decoded, wide, '16-bit round trip')
console.log('huffman ok')

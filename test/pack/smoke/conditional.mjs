// @qchain/conditional: fp16 weights coded given their LLM.int8 level round-trip bit for bit
// with both codecs, cost far less than the raw 16 bits, and refuse a wrong parent.
import { ConditionalError, decode, decodeAlone, encode, encodeAlone } from '@qchain/conditional'
import { f32ToF16 } from '@qchain/tensor'
import { check, randomWeights, sameBytes } from './check.mjs'

const rows = 48
const cols = 256
const child = { rows, cols, format: 'f16', bits: f32ToF16(randomWeights(rows * cols, 3)) }

// The parent as bitsandbytes' rowwise int8 (absmax per row scaled to 127), from the fp16 values.
function int8Rowwise(half) {
  const values = new Float32Array(half.bits.length)
  for (let i = 0; i < values.length; i++) values[i] = halfToFloat(half.bits[i])
  const scb = new Float32Array(rows)
  const weight = new Int8Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) scb[r] = Math.max(scb[r], Math.abs(values[r * cols + c]))
    for (let c = 0; c < cols; c++) weight[r * cols + c] = Math.round((values[r * cols + c] * 127) / scb[r])
  }
  return { rows, cols, weight, scb }
}
function halfToFloat(bits) {
  const exponent = (bits >> 10) & 0x1f
  const magnitude = exponent === 0 ? (bits & 0x3ff) * 2 ** -24 : (1 + (bits & 0x3ff) / 1024) * 2 ** (exponent - 15)
  return bits & 0x8000 ? -magnitude : magnitude
}
const parent = int8Rowwise(child)

for (const codec of ['residual', 'qstore']) {
  const bytes = encode(child, parent, { codec })
  // QStore's per-bucket tables outweigh a matrix this small; only the residual codec must shrink it.
  if (codec === 'residual') check(bytes.length < rows * cols * 2 * 0.75, `${codec}: ${bytes.length} bytes for ${rows * cols * 2} raw`)
  const restored = decode(bytes, parent)
  check(restored.rows === rows && restored.cols === cols && restored.format === 'f16', `${codec}: shape and format`)
  sameBytes(restored.bits, child.bits, `${codec}: 16|int8 round trip`)
}

const other = { ...parent, scb: parent.scb.map((scale) => scale * 2) }
let wrong
try {
  decode(encode(child, parent), other)
} catch (error) {
  wrong = error
}
check(wrong instanceof ConditionalError && wrong.problem === 'wrong-parent', `a wrong parent is refused: ${wrong}`)

const alone = decodeAlone(encodeAlone(child))
sameBytes(alone.bits, child.bits, 'a tensor coded alone')
console.log('conditional ok')

// @qchain/native: built by node-gyp at install, loaded by @qchain/conditional's Node entry, and
// decoding the same bytes as the WebAssembly kernels.
import { loadNative } from '@qchain/native'
import { decode, encode, nativeKernels, useNativeKernels } from '@qchain/conditional'
import { f32ToF16 } from '@qchain/tensor'
import { check, randomWeights, sameBytes } from './check.mjs'

const status = loadNative()
check(status.loaded, `the addon loads: ${status.loaded ? '' : status.reason}`)
check(nativeKernels() === status.kernels, "@qchain/conditional's Node entry installed the native kernels")

const rows = 300
const cols = 300
const values = randomWeights(rows * cols, 5)
const child = { rows, cols, format: 'f16', bits: f32ToF16(values) }
const scb = new Float32Array(rows)
const weight = new Int8Array(rows * cols)
for (let r = 0; r < rows; r++) {
  for (let c = 0; c < cols; c++) scb[r] = Math.max(scb[r], Math.abs(values[r * cols + c]))
  for (let c = 0; c < cols; c++) weight[r * cols + c] = Math.round((values[r * cols + c] * 127) / scb[r])
}
const parent = { rows, cols, weight, scb }
const stream = encode(child, parent)
const byNative = decode(stream, parent)
useNativeKernels(null)
const byWebAssembly = decode(stream, parent)
sameBytes(byNative.bits, child.bits, 'native decode')
sameBytes(byWebAssembly.bits, child.bits, 'WebAssembly decode')
console.log('native ok')

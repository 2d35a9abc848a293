// @qchain/tensor: fp16/bf16 conversions are bit-exact on known values and round-trip every pattern.
import { bf16ToF32, f16BitsToF32Bits, f16ToF32, f32ToBf16, f32ToF16, toFloat32, typedView } from '@qchain/tensor'
import { initTensorBackend, tf } from '@qchain/tensor/tfjs'
import { check, sameBytes } from './check.mjs'

const values = Float32Array.of(1, -2, 65504, 0.1, 1e-7, -0, Infinity)
const half = f32ToF16(values)
// 0.1 rounds to 0x2e66; 1e-7 is subnormal in fp16 (0x0002); -0 keeps its sign.
check([...half].join() === [0x3c00, 0xc000, 0x7bff, 0x2e66, 0x0002, 0x8000, 0x7c00].join(), `fp16 bits ${[...half].map((b) => b.toString(16))}`)
check(f16ToF32(half)[3] === 0.0999755859375, 'fp16 0x2e66 is 0.0999755859375')
check(f32ToBf16(Float32Array.of(1.00390625))[0] === 0x3f80, 'bf16 rounds ties to even')

// Every non-NaN fp16 and bf16 pattern survives 16 -> 32 -> 16 bit for bit.
const all = new Uint16Array(65536).map((_, i) => i)
const finite = all.filter((bits) => (bits & 0x7c00) !== 0x7c00 || (bits & 0x3ff) === 0)
sameBytes(f32ToF16(f16ToF32(finite)), finite, 'fp16 round trip')
const finiteBf16 = all.filter((bits) => (bits & 0x7f80) !== 0x7f80 || (bits & 0x7f) === 0)
sameBytes(f32ToBf16(bf16ToF32(finiteBf16)), finiteBf16, 'bf16 round trip')
check(new Float32Array(Uint32Array.of(f16BitsToF32Bits(0x3555)).buffer)[0] === 0.333251953125, 'one pattern by bits')

// Raw tensor bytes: views and float32 decoding.
const bytes = new Uint8Array(half.buffer)
check(typedView(bytes, 'F16')[0] === 0x3c00, 'typedView of F16 gives the bit patterns')
check(toFloat32(bytes, 'F16')[2] === 65504, 'toFloat32 decodes F16 bytes')
// The tfjs wasm backend finds its .wasm file inside the installed package.
const warnings = []
const backend = await initTensorBackend({ onWarning: (message) => warnings.push(message) })
check(backend === 'wasm' && warnings.length === 0, `backend ${backend} ${warnings.join('; ')}`)
const product = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]))
check((await product.data()).join() === '19,22,43,50', 'a matrix product on the wasm backend')
console.log('tensor ok')

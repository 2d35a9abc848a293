export { bf16BitsToF32Bits, f16BitsToF32Bits, f32BitsToBf16Bits, f32BitsToF16Bits } from './half.js'
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './convert.js'
export { toFloat32, typedView, type DtypeArrays } from './views.js'

export { roundHalfEven } from './round.js'
export { dequantizeInt8Rowwise, quantizeInt8Rowwise, type Int8RowwiseLevel } from './int8-rowwise.js'
export { GptqError, type GptqProblem } from './errors.js'
export { initTfjsWasm } from './tfjs.js'
export { gridParams, maxCode, quantizeCode, QUANT_BITS, type GridParams, type GridSpec, type QuantBits } from './grid.js'
export type { GptqOptions, QuantizeOptions } from './options.js'
export { dequantize, type QuantCodes, type QuantizedLayer } from './layer.js'
export { HessianAccumulator } from './hessian.js'
export { gptqQuantize } from './gptq.js'
export { rtnQuantize } from './rtn.js'
export { choleskyLower, type BlockedOptions } from './linalg/cholesky.js'
export { upperHessianFactor } from './linalg/hessian-factor.js'
export {
  dequantizeGptqLayer,
  packGptqLayer,
  unpackGptqLayer,
  type CheckpointFormat,
  type GptqPackedLayer,
  type PackedTensor,
} from './pack/checkpoint.js'
export { quantizeConfig, type QuantizeConfigJson, type QuantizeConfigOptions } from './pack/quantize-config.js'

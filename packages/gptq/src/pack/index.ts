// Checkpoint packing without TensorFlow.js: what codec workers and browsers need to rebuild
// GPTQ tensors, importable without loading the quantizers' tfjs backend.
export {
  dequantizeGptqLayer,
  packGptqLayer,
  unpackGptqLayer,
  type CheckpointFormat,
  type GptqPackedLayer,
  type PackedTensor,
} from './checkpoint.js'
export { quantizeConfig, type QuantizeConfigJson, type QuantizeConfigOptions } from './quantize-config.js'
export { dequantize, type QuantCodes } from '../layer.js'
export { GptqError, type GptqProblem } from '../errors.js'

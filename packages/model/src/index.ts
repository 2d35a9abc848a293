export { ModelError, type ModelProblem } from './errors.js'
export { parseModelConfig, SUPPORTED_ARCHITECTURES, type ModelConfig, type ModelType, type RopeScaling } from './config.js'
export { CONFIG_FILE_NAME, readModelConfig } from './config-file.js'
export { cacheFolders, resolveModel, type ResolvedModel, type ResolveOptions } from './resolve.js'
export {
  blockTensorName,
  disposeBlockWeights,
  disposeOuterWeights,
  LINEAR_INPUT_GROUPS,
  LINEAR_NAMES,
  linearTensorName,
  OUTER_TENSOR_NAMES,
  type BlockWeights,
  type LinearInputGroup,
  type LinearName,
  type LinearWeights,
  type OuterWeights,
} from './forward/weights.js'
export { linearShape, loadBlockWeights, loadOuterWeights } from './forward/load-weights.js'
export { ropeInverseFrequencies } from './forward/rope.js'
export { embed, validateTokens, type TokenBatch } from './forward/tokens.js'
export { runBlock, type RunBlockOptions } from './forward/block.js'
export { finalLogits } from './forward/logits.js'
export { createKvCaches, disposeKvCaches, type BlockKvCache } from './forward/kv-cache.js'
export { createModel, disposeModel, loadModel, forward, runBlocks, type ForwardOptions, type LlamaModel } from './forward/model.js'
export { perplexity, type PerplexityOptions, type PerplexityResult } from './forward/perplexity.js'
export { generate, type GenerateOptions } from './forward/generate.js'
export { sampleToken, seededRandom } from './forward/sampling.js'

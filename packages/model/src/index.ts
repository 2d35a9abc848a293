export { ModelError, type ModelProblem } from './errors.js'
export { parseModelConfig, SUPPORTED_ARCHITECTURES, type ModelConfig, type ModelType, type RopeScaling } from './config.js'
export { CONFIG_FILE_NAME, readModelConfig } from './config-file.js'
export { cacheFolders, resolveModel, type ResolvedModel, type ResolveOptions } from './resolve.js'

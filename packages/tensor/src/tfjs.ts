// TensorFlow.js lives behind its own entry: importing '@qchain/tensor' for dtypes and views
// (codec workers, browsers) must not load tfjs-core.
export { initTensorBackend, tf, type TensorBackendName, type TensorBackendOptions } from './backend.js'

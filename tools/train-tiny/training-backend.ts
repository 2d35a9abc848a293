import { initTensorBackend, type TensorBackendName } from '@qchain/tensor/tfjs'
import { registerTrainingGradients } from './gradients.js'
import { registerWasmSegmentSum } from './segment-sum-kernel.js'

/** Starts the tfjs backend and adds what training needs on top of it: gradients and the segment-sum kernel. */
export async function initTrainingBackend(): Promise<TensorBackendName> {
  const backend = await initTensorBackend()
  registerTrainingGradients()
  registerWasmSegmentSum()
  return backend
}

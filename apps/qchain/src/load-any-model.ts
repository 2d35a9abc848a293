import { isQchainError } from '@qchain/errors'
import { createModel, loadModel, readModelConfig, type LlamaModel } from '@qchain/model'
import { openCheckpoint } from '@qchain/quantize'

/** A 16-bit, GPTQ or LLM.int8 model folder, loaded for the forward pass (quantized ones through their dequantized weights). */
export async function loadAnyModel(dir: string, format?: 'gptq' | 'gptq_v2'): Promise<{ model: LlamaModel; kind: string }> {
  let checkpoint
  try {
    checkpoint = await openCheckpoint(dir, format ? { format } : {})
  } catch (error) {
    if (isQchainError(error) && error.code === 'QUANTIZE_NOT_A_CHECKPOINT') return { model: await createModel(dir), kind: '16-bit' }
    throw error
  }
  try {
    const kind = checkpoint.kind === 'gptq' ? `GPTQ ${checkpoint.gptq?.bits}-bit` : 'LLM.int8'
    return { model: await loadModel(checkpoint.dequantizedView(), await readModelConfig(dir)), kind }
  } finally {
    await checkpoint.close()
  }
}

import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { quantizeInt8Rowwise } from '@qchain/gptq'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { toFloat32 } from '@qchain/tensor'

/** The shared isnet-fp16 fixture (absent on machines without /work/shared). */
export const ISNET_PATH = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/fixtures/isnet-fp16/model.safetensors')

/**
 * The LLM.int8 rowwise level of isnet: every `*.weight` of 2+ dims viewed as [rows, rest],
 * quantized, and the int8 codes concatenated as raw bytes (two's complement), in file order.
 * `maxValues` stops after the tensor that reaches it (for quick tests).
 */
export async function loadIsnetInt8Codes(maxValues = Infinity): Promise<Uint8Array> {
  const folder = await openSafetensorsFolder(ISNET_PATH)
  try {
    const parts: Uint8Array[] = []
    let total = 0
    for (const [name, { info }] of folder.tensors) {
      if (!name.endsWith('.weight') || info.shape.length < 2 || total >= maxValues) continue
      const rows = info.shape[0] as number
      const cols = info.shape.slice(1).reduce((a, b) => a * b, 1)
      const level = quantizeInt8Rowwise(toFloat32(await folder.read(name), info.dtype), rows, cols)
      parts.push(new Uint8Array(level.weight.buffer, level.weight.byteOffset, level.weight.length))
      total += level.weight.length
    }
    const codes = new Uint8Array(total)
    let offset = 0
    for (const part of parts) {
      codes.set(part, offset)
      offset += part.length
    }
    return codes
  } finally {
    await folder.close()
  }
}

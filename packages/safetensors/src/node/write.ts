import { SafetensorsError } from '../errors.js'
import type { SafetensorsHeader, TensorInfo } from '../header.js'
import { tensorsInFileOrder } from '../reader.js'
import { writeAll, writeFileAtomically } from './atomic-write.js'

/**
 * Writes a safetensors file from a header (parsed from an existing file, kept byte for
 * byte, or made by encodeHeader) and a callback that supplies each tensor's bytes. Tensors
 * are requested one at a time in file order, so memory holds one tensor at most.
 */
export async function writeSafetensorsFile(
  path: string,
  header: SafetensorsHeader,
  tensorBytes: (info: TensorInfo) => Promise<Uint8Array> | Uint8Array,
): Promise<void> {
  await writeFileAtomically(path, async (handle) => {
    await writeAll(handle, header.bytes)
    for (const info of tensorsInFileOrder(header)) {
      const bytes = await tensorBytes(info)
      if (bytes.length !== info.end - info.begin) {
        throw new SafetensorsError('size-mismatch', `got ${bytes.length} bytes, the header says ${info.end - info.begin}`, { file: path, tensor: info.name })
      }
      await writeAll(handle, bytes)
    }
  })
}

import { encodeHeader } from '@qchain/safetensors'
import { openSafetensorsFolder, writeSafetensorsFile } from '@qchain/safetensors/node'
import { f32ToBf16 } from '@qchain/tensor'

export interface NamedArray {
  shape: readonly number[]
  values: Float32Array
}

/** Writes float32 arrays as one safetensors file, in F32 or rounded to BF16, atomically. */
export async function writeTensorFile(path: string, tensors: ReadonlyMap<string, NamedArray>, dtype: 'F32' | 'BF16', metadata?: Record<string, string>): Promise<void> {
  const header = encodeHeader([...tensors].map(([name, { shape }]) => ({ name, dtype, shape })), metadata)
  await writeSafetensorsFile(path, header, ({ name }) => {
    const { values } = tensors.get(name) as NamedArray
    const stored = dtype === 'BF16' ? f32ToBf16(values) : values
    return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength)
  })
}

/** Reads every F32 tensor of a safetensors file, and its metadata. */
export async function readF32File(path: string): Promise<{ tensors: Map<string, NamedArray>; metadata: Record<string, string> }> {
  const folder = await openSafetensorsFolder(path)
  try {
    const tensors = new Map<string, NamedArray>()
    for (const [name, { info }] of folder.tensors) {
      if (info.dtype !== 'F32') throw new Error(`${path}: ${name} is ${info.dtype}, not F32`)
      const bytes = await folder.read(name)
      tensors.set(name, { shape: info.shape, values: new Float32Array(bytes.slice().buffer) })
    }
    const metadata = [...folder.files.values()][0]?.header.metadata ?? {}
    return { tensors, metadata }
  } finally {
    await folder.close()
  }
}

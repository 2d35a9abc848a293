import { writeAll, writeFileAtomically } from '@qchain/safetensors/node'

export function writeTextAtomically(path: string, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text)
  return writeFileAtomically(path, (handle) => writeAll(handle, bytes))
}

import { copyFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fg from 'fast-glob'
import { writeAll, writeFileAtomically } from '@qchain/safetensors/node'

/** Files a quantized folder writes itself instead of copying. */
const REWRITTEN = /(\.safetensors|^model\.safetensors\.index\.json|^config\.json|^quantize_config\.json)$/

/** Copies the model's other files (tokenizer, generation config, ...) verbatim. */
export async function copySideFiles(sourceDir: string, targetDir: string): Promise<void> {
  const files = await fg('*', { cwd: sourceDir, onlyFiles: true, dot: false })
  for (const file of files.sort()) if (!REWRITTEN.test(file)) await copyFile(join(sourceDir, file), join(targetDir, file))
}

/** config.json of the source with `quantization_config` set, when the source has one. */
export async function writeQuantizedConfig(sourceDir: string, targetDir: string, quantizationConfig: Record<string, unknown>): Promise<void> {
  const text = await readFile(join(sourceDir, 'config.json'), 'utf8').catch(() => undefined)
  if (text === undefined) return
  const config = { ...(JSON.parse(text) as Record<string, unknown>), quantization_config: quantizationConfig }
  await writeJson(join(targetDir, 'config.json'), config)
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`)
  await writeFileAtomically(path, (handle) => writeAll(handle, bytes))
}

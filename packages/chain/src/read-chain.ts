import type { Container, TensorEntry } from '@qchain/format'
import { parseHeader, tensorsInFileOrder, byteLength, type Dtype } from '@qchain/safetensors'
import { ChainError } from './errors.js'
import { decodeMatrix, matrixPartBytes } from './matrix-codecs.js'
import type { MatrixPart, MatrixValue } from './matrix.js'
import { decodePlain } from './plain-codecs.js'

/** Receives a rebuilt file's bytes in order; the chunks together are the original file. */
export type ChunkSink = (chunk: Uint8Array) => Promise<void> | void

export interface ChainReader {
  readonly container: Container
  /** Every file of a level, with its recorded size and SHA-256. */
  files(level: string): { name: string; size: number; sha256: string; kind: 'verbatim' | 'tensors' }[]
  /** One tensor of a level, as the original checkpoint stored it. */
  tensorBytes(level: string, name: string): Promise<Uint8Array>
  /** Rebuilds one file of a level, reading only that level's and its ancestors' sections. */
  rebuildFile(level: string, name: string, sink: ChunkSink): Promise<void>
}

/** Decodes levels from a container; runs anywhere the container can be read (Node or a browser). */
export function chainReader(container: Container): ChainReader {
  // The last matrix decoded: the parts of one GPTQ or int8 matrix come one after another.
  let cached: { key: string; value: MatrixValue } | undefined

  async function matrixValue(level: string, entry: TensorEntry): Promise<MatrixValue> {
    const prefix = String(entry.params.prefix)
    const key = `${level}\u0000${prefix}`
    if (cached?.key === key) return cached.value
    // Walk up through `given` to the base, then decode back down, one level at a time.
    const path: { level: string; entry: TensorEntry }[] = [{ level, entry }]
    for (const ancestor of container.chain(level).slice(1)) {
      const child = path[path.length - 1] as { entry: TensorEntry }
      const parentName = child.entry.given[0]
      if (parentName === undefined) break
      path.push({ level: ancestor, entry: container.tensor(ancestor, parentName) })
    }
    let value: MatrixValue | undefined
    for (const step of path.reverse()) {
      const where = { level: step.level, tensor: step.entry.name }
      const sections = await container.readSections(step.entry.sections)
      const shape = { rows: Number(step.entry.params.rows), cols: Number(step.entry.params.cols) }
      value = decodeMatrix(step.entry.codec, step.entry.sections.map((id) => sections.get(id) as Uint8Array), value, shape, where)
    }
    cached = { key, value: value as MatrixValue }
    return value as MatrixValue
  }

  async function tensorBytes(level: string, name: string): Promise<Uint8Array> {
    const entry = container.tensor(level, name)
    const where = { level, tensor: name }
    const expected = byteLength(entry.shape, entry.dtype as Dtype)
    if (expected === undefined) throw new ChainError('corrupt', `dtype ${entry.dtype} with shape [${entry.shape.join(', ')}] has no byte length`, where)
    let bytes: Uint8Array
    if (entry.params.part === undefined) {
      const [section] = entry.sections
      if (section === undefined) throw new ChainError('corrupt', 'a tensor without sections', where)
      bytes = decodePlain(entry.codec, await container.readSection(section), expected, where)
    } else {
      const format = entry.params.format === 'gptq_v2' ? 'gptq_v2' : 'gptq'
      const gptq = entry.params.bits === undefined ? undefined : { bits: Number(entry.params.bits), format: format as 'gptq' | 'gptq_v2' }
      bytes = matrixPartBytes(await matrixValue(level, entry), entry.params.part as MatrixPart, gptq, where)
    }
    if (bytes.length !== expected) throw new ChainError('corrupt', `rebuilt ${bytes.length} bytes, the index says ${expected}`, where)
    return bytes
  }

  return {
    container,
    files: (level) => [...container.files(level).values()].map(({ name, size, sha256, kind }) => ({ name, size, sha256, kind })),
    tensorBytes,
    async rebuildFile(level, name, sink) {
      const file = container.files(level).get(name)
      if (!file) throw new ChainError('invalid-level', 'no such file in this level', { level, file: name })
      if (file.kind === 'verbatim') {
        await sink(await container.readFile(level, name))
        return
      }
      const [headerSection] = file.sections
      if (headerSection === undefined) throw new ChainError('corrupt', 'a tensors file without its header section', { level, file: name })
      const header = parseHeader(await container.readSection(headerSection), file.size, name)
      await sink(header.bytes)
      for (const info of tensorsInFileOrder(header)) {
        const entry = container.tensors(level).get(info.name)
        if (!entry || entry.file !== name || entry.dtype !== info.dtype || entry.shape.join() !== info.shape.join()) {
          throw new ChainError('corrupt', 'the header and the index disagree about this tensor', { level, file: name, tensor: info.name })
        }
        await sink(await tensorBytes(level, info.name))
      }
    },
  }
}

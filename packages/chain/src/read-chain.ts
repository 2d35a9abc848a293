import type { Container, SectionSpan, TensorEntry } from '@qchain/format'
import { parseHeader, tensorsInFileOrder } from '@qchain/safetensors'
import { jobKey, jobOutputs, runDecodeJob, type DecodeJob } from './decode-job.js'
import { planDecodeJob, readBytes } from './plan-decode-job.js'
import { ChainError } from './errors.js'

/** Receives a rebuilt file's bytes in order; the chunks together are the original file. */
export type ChunkSink = (chunk: Uint8Array) => Promise<void> | void

export interface ChainReader {
  readonly container: Container
  /** Every file of a level, with its recorded size and SHA-256. */
  files(level: string): { name: string; size: number; sha256: string; kind: 'verbatim' | 'tensors' }[]
  /** One tensor of a level, as the original checkpoint stored it. */
  tensorBytes(level: string, name: string): Promise<Uint8Array>
  /** The self-contained decode of a tensor (with its matrix's other parts); tensors of one job share its key. */
  planJob(level: string, name: string): Promise<{ key: string; job: DecodeJob }>
  /** The same job, but saying where its sections lie instead of reading them: for a worker with the file open. */
  planSpans(level: string, name: string): Promise<{ key: string; job: DecodeJob<SectionSpan> }>
  /** A file's pieces in order: a verbatim file's bytes, or a safetensors header and its tensors' names. */
  fileLayout(level: string, name: string): Promise<FileLayout>
  /** Rebuilds one file of a level, reading only that level's and its ancestors' sections. */
  rebuildFile(level: string, name: string, sink: ChunkSink): Promise<void>
}

export type FileLayout = { kind: 'verbatim'; bytes: Uint8Array } | { kind: 'tensors'; header: Uint8Array; tensors: string[] }

/** Decodes levels from a container; runs anywhere the container can be read (Node or a browser). */
export function chainReader(container: Container): ChainReader {
  // The last job's tensors: the parts of one GPTQ or int8 matrix are asked for one after another.
  let cached: { key: string; tensors: Map<string, Uint8Array> } | undefined
  const siblings = matrixParts(container)
  const bytes = readBytes(container)
  const spans = async (ids: readonly number[]) => container.sectionSpans(ids)

  const keyOf = (level: string, name: string) => `${level}\u0000${jobKey(container.tensor(level, name))}`

  async function planJob(level: string, name: string): Promise<{ key: string; job: DecodeJob }> {
    return { key: keyOf(level, name), job: await planDecodeJob(container, level, name, (prefix) => siblings(level, prefix), bytes) }
  }

  async function planSpans(level: string, name: string): Promise<{ key: string; job: DecodeJob<SectionSpan> }> {
    return { key: keyOf(level, name), job: await planDecodeJob(container, level, name, (prefix) => siblings(level, prefix), spans) }
  }

  async function tensorBytes(level: string, name: string): Promise<Uint8Array> {
    const key = keyOf(level, name)
    if (cached?.key !== key) {
      const { job } = await planJob(level, name)
      cached = { key, tensors: jobOutputs(job, runDecodeJob(job)) }
    }
    return cached.tensors.get(name) as Uint8Array
  }

  return {
    container,
    files: (level) => [...container.files(level).values()].map(({ name, size, sha256, kind }) => ({ name, size, sha256, kind })),
    tensorBytes,
    planJob,
    planSpans,
    fileLayout,
    async rebuildFile(level, name, sink) {
      const layout = await fileLayout(level, name)
      if (layout.kind === 'verbatim') return sink(layout.bytes)
      await sink(layout.header)
      // A matrix's parts may lie apart (safetensors orders tensors by dtype first): decode it once,
      // keeping only the parts not written yet.
      const pending = new Map<string, Map<string, Uint8Array>>()
      for (const tensor of layout.tensors) {
        const key = keyOf(level, tensor)
        let parts = pending.get(key)
        if (!parts) {
          const { job } = await planJob(level, tensor)
          parts = jobOutputs(job, runDecodeJob(job))
          pending.set(key, parts)
        }
        const bytes = parts.get(tensor) as Uint8Array
        parts.delete(tensor)
        if (parts.size === 0) pending.delete(key)
        await sink(bytes)
      }
    },
  }

  async function fileLayout(level: string, name: string): Promise<FileLayout> {
    const file = container.files(level).get(name)
    if (!file) throw new ChainError('invalid-level', 'no such file in this level', { level, file: name })
    if (file.kind === 'verbatim') return { kind: 'verbatim', bytes: await container.readFile(level, name) }
    const [headerSection] = file.sections
    if (headerSection === undefined) throw new ChainError('corrupt', 'a tensors file without its header section', { level, file: name })
    const header = parseHeader(await container.readSection(headerSection), file.size, name)
    const tensors = tensorsInFileOrder(header).map((info) => {
      const entry = container.tensors(level).get(info.name)
      if (!entry || entry.file !== name || entry.dtype !== info.dtype || entry.shape.join() !== info.shape.join()) {
        throw new ChainError('corrupt', 'the header and the index disagree about this tensor', { level, file: name, tensor: info.name })
      }
      return info.name
    })
    return { kind: 'tensors', header: header.bytes, tensors }
  }
}

/** Each level's matrices by prefix, indexed on first use. */
function matrixParts(container: Container): (level: string, prefix: string) => readonly TensorEntry[] {
  const byLevel = new Map<string, Map<string, TensorEntry[]>>()
  return (level, prefix) => {
    let byPrefix = byLevel.get(level)
    if (!byPrefix) {
      byPrefix = new Map()
      for (const entry of container.tensors(level).values()) {
        if (entry.params.part === undefined) continue
        const key = String(entry.params.prefix)
        const parts = byPrefix.get(key) ?? []
        parts.push(entry)
        byPrefix.set(key, parts)
      }
      byLevel.set(level, byPrefix)
    }
    return byPrefix.get(prefix) ?? []
  }
}

import type { CheckpointFormat } from '@qchain/gptq/pack'
import type { Container, TensorEntry } from '@qchain/format'
import { byteLength, type Dtype } from '@qchain/safetensors'
import type { DecodeJob, DecodeStep, JobOutput } from './decode-job.js'
import { ChainError } from './errors.js'
import type { MatrixPart } from './matrix.js'

// Planning reads the index and the sections on the calling thread; it stays apart from
// decode-job.ts so that codec workers never load the index and header validators.

/** The index's byte length of a tensor, refused when its dtype and shape give none. */
function outputOf(level: string, entry: TensorEntry): JobOutput {
  const expected = byteLength(entry.shape, entry.dtype as Dtype)
  if (expected === undefined) throw new ChainError('corrupt', `dtype ${entry.dtype} with shape [${entry.shape.join(', ')}] has no byte length`, { level, tensor: entry.name })
  if (entry.params.part === undefined) return { tensor: entry.name, byteLength: expected }
  const format: CheckpointFormat = entry.params.format === 'gptq_v2' ? 'gptq_v2' : 'gptq'
  return { tensor: entry.name, byteLength: expected, part: entry.params.part as MatrixPart, shape: entry.shape, ...(entry.params.bits !== undefined && { gptq: { bits: Number(entry.params.bits), format } }) }
}

/** How a plan gets its sections, in the order of `ids`: their bytes, or where they lie. */
export type SectionFetch<S> = (ids: readonly number[]) => Promise<S[]>

/** Reads sections on this thread, each checksum verified. */
export function readBytes(container: Container): SectionFetch<Uint8Array> {
  return async (ids) => {
    const sections = await container.readSections(ids)
    return ids.map((id) => sections.get(id) as Uint8Array)
  }
}

/**
 * Fetches the sections a tensor's job needs: its own, or for a matrix every part of it and the
 * matrices it is coded given, up through `given` to the base. `siblings` lists a matrix's parts.
 */
export async function planDecodeJob<S>(container: Container, level: string, name: string, siblings: (prefix: string) => readonly TensorEntry[], fetch: SectionFetch<S>): Promise<DecodeJob<S>> {
  const entry = container.tensor(level, name)
  if (entry.params.part === undefined) {
    const output = outputOf(level, entry)
    // A tensor written before slicing has no slice size: one section holds it all.
    const sliceBytes = entry.params.slice === undefined ? Math.max(output.byteLength, 2) : Number(entry.params.slice)
    return { kind: 'plain', level, codec: entry.codec, sections: await fetch(entry.sections), sliceBytes, output }
  }
  const path: { level: string; entry: TensorEntry }[] = [{ level, entry }]
  for (const ancestor of container.chain(level).slice(1)) {
    const parentName = (path[path.length - 1] as { entry: TensorEntry }).entry.given[0]
    if (parentName === undefined) break
    path.push({ level: ancestor, entry: container.tensor(ancestor, parentName) })
  }
  const steps: DecodeStep<S>[] = []
  for (const step of path.reverse()) {
    steps.push({
      level: step.level,
      tensor: step.entry.name,
      codec: step.entry.codec,
      sections: await fetch(step.entry.sections),
      rows: Number(step.entry.params.rows),
      cols: Number(step.entry.params.cols),
    })
  }
  return { kind: 'matrix', level, steps, outputs: siblings(String(entry.params.prefix)).map((part) => outputOf(level, part)) }
}

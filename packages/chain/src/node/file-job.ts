import { QchainError } from '@qchain/errors'
import type { Container, SectionSpan } from '@qchain/format'
import { readSpansSync, type ReadSpace } from '@qchain/format/section-file'
import type { DecodeJob } from '../decode-job.js'

/** An open container file as a worker thread reaches it: the descriptor, and the path for errors. */
export interface ContainerFileRef {
  fd: number
  file: string
}

/**
 * The job with its sections read from the container file on this thread, every checksum
 * checked: all of them at once, into one buffer from `space` (a fresh one by default).
 */
export function readJobSections(job: DecodeJob<SectionSpan>, from: ContainerFileRef, space?: ReadSpace): DecodeJob {
  const spans = job.kind === 'plain' ? job.sections : job.steps.flatMap((step) => step.sections)
  const read = readSpansSync(from.fd, from.file, spans, space)
  if (job.kind === 'plain') return { ...job, sections: read }
  let next = 0
  return { ...job, steps: job.steps.map((step) => ({ ...step, sections: read.slice(next, (next += step.sections.length)) })) }
}

/**
 * A worker only knows a damaged section's number; the container names its role, level and the
 * tensor using it. Any other error passes through as it is.
 */
export function nameDamage(container: Container, job: DecodeJob<SectionSpan>, error: unknown): unknown {
  if (!(error instanceof QchainError) || error.code !== 'FORMAT_SECTION_CHECKSUM') return error
  const spans = job.kind === 'plain' ? job.sections : job.steps.flatMap((step) => step.sections)
  const damaged = spans.find((span) => error.context.field === `section ${span.id}`)
  return damaged ? container.damagedSection(damaged.id) : error
}

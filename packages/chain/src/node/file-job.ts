import { QchainError } from '@qchain/errors'
import type { Container, SectionSpan } from '@qchain/format'
import { readSpansSync } from '@qchain/format/section-file'
import type { DecodeJob } from '../decode-job.js'

/** An open container file as a worker thread reaches it: the descriptor, and the path for errors. */
export interface ContainerFileRef {
  fd: number
  file: string
}

/** The job with its sections read from the container file on this thread, every checksum checked. */
export function readJobSections(job: DecodeJob<SectionSpan>, from: ContainerFileRef): DecodeJob {
  if (job.kind === 'plain') return { ...job, sections: readSpansSync(from.fd, from.file, job.sections) }
  return { ...job, steps: job.steps.map((step) => ({ ...step, sections: readSpansSync(from.fd, from.file, step.sections) })) }
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

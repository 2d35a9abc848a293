import type { Container } from '@qchain/format'

export interface LevelSummary {
  level: string
  parent: string | null
  files: { name: string; kind: string; size: number }[]
  /** Bytes of the original files of the level. */
  originalBytes: number
  /** Bytes of the sections this level owns (what it adds to the container). */
  ownBytes: number
  /** Of those, the original safetensors headers kept verbatim (the rest is coded tensors). */
  ownHeaderBytes: number
  /** Bytes of all sections a reader needs for this level (its own, its ancestors', shared). */
  readBytes: number
  tensors: { name: string; codec: string; bytes: number }[]
}

export interface ContainerSummary {
  size: number
  topology: string
  levels: LevelSummary[]
  sharedBytes: number
  /** Everything that is not a section: file header, index, footer and alignment padding. */
  indexBytes: number
}

/** Sizes per level from the index alone: no section is read. */
export function summarizeContainer(container: Container): ContainerSummary {
  const { sections } = container.index
  const sizeOf = (ids: readonly number[]) => ids.reduce((sum, id) => sum + (sections[id]?.length ?? 0), 0)
  const levels = container.index.levels.map((entry) => ({
    level: entry.name,
    parent: entry.parent,
    files: entry.files.map(({ name, kind, size }) => ({ name, kind, size })),
    originalBytes: entry.files.reduce((sum, file) => sum + file.size, 0),
    ownBytes: sections.filter((section) => section.level === entry.name).reduce((sum, section) => sum + section.length, 0),
    ownHeaderBytes: sections.filter((section) => section.level === entry.name && section.role === 'header').reduce((sum, section) => sum + section.length, 0),
    readBytes: container.planLevel(entry.name).bytes,
    tensors: entry.tensors.map((tensor) => ({ name: tensor.name, codec: tensor.codec, bytes: sizeOf(tensor.sections) })),
  }))
  const base = levels.find((level) => level.parent === null)
  const order = base ? walk(base.level, levels) : levels.map((level) => level.level)
  const topology = order.map((name) => {
    const parent = levels.find((level) => level.level === name)?.parent
    return parent ? `${name}|${parent}` : name
  })
  return {
    size: container.source.size,
    topology: topology.join(' > '),
    levels,
    sharedBytes: sections.filter((section) => section.level === null).reduce((sum, section) => sum + section.length, 0),
    indexBytes: container.source.size - sections.reduce((sum, section) => sum + section.length, 0),
  }
}

/** Levels breadth-first from the base, so every parent comes before its children. */
function walk(base: string, levels: readonly LevelSummary[]): string[] {
  const order = [base]
  for (let i = 0; i < order.length; i++) for (const level of levels) if (level.parent === order[i]) order.push(level.level)
  return order
}

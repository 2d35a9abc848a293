import { ChainError } from './errors.js'

export interface ChainLevel {
  name: string
  /** null for the base level. */
  parent: string | null
}

/** Levels with every parent before its children; exactly one base, no unknown parent, no loop. */
export function orderLevels<T extends ChainLevel>(levels: readonly T[]): T[] {
  const byName = new Map(levels.map((level) => [level.name, level]))
  if (byName.size !== levels.length) throw new ChainError('invalid-level', 'a level is listed twice')
  const bases = levels.filter((level) => level.parent === null)
  if (bases.length !== 1) throw new ChainError('invalid-level', `a chain needs exactly one base level, got ${bases.length}`)
  const ordered: T[] = []
  const placed = new Set<string>()
  // Each pass places at least one level, or the rest can never be placed.
  while (ordered.length < levels.length) {
    const ready = levels.filter((level) => !placed.has(level.name) && (level.parent === null || placed.has(level.parent)))
    if (ready.length === 0) {
      const stuck = levels.find((level) => !placed.has(level.name))
      throw new ChainError('invalid-level', `level ${stuck?.name} has a parent ${stuck?.parent} that is missing or in a loop`, { level: stuck?.name ?? '' })
    }
    for (const level of ready) {
      ordered.push(level)
      placed.add(level.name)
    }
  }
  return ordered
}

import { FormatError } from './errors.js'

export interface LevelLink {
  name: string
  parent: string | null
}

/**
 * Each level's chain up to the base (itself first), found by walking parent links with a
 * visited set rather than recursion, so a corrupted index with a loop fails instead of
 * hanging. Also requires unique names, known parents and exactly one base.
 */
export function levelAncestry(levels: readonly LevelLink[], file: string): Map<string, string[]> {
  const parents = new Map<string, string | null>()
  for (const level of levels) {
    if (parents.has(level.name)) throw new FormatError('invalid-index', 'level listed twice', { file, level: level.name })
    parents.set(level.name, level.parent)
  }
  const bases = levels.filter((level) => level.parent === null)
  if (bases.length !== 1) {
    throw new FormatError('invalid-index', `a chain has exactly one base level (without parent), found ${bases.length}`, { file, field: 'levels' })
  }
  const chains = new Map<string, string[]>()
  for (const level of levels) {
    const chain = [level.name]
    const seen = new Set(chain)
    for (let parent = level.parent; parent !== null; parent = parents.get(parent) ?? null) {
      if (!parents.has(parent)) throw new FormatError('invalid-index', `parent level ${JSON.stringify(parent)} does not exist`, { file, level: chain.at(-1) as string })
      if (seen.has(parent)) throw new FormatError('level-cycle', `levels form a loop: ${[...chain, parent].join(' -> ')}`, { file, level: level.name })
      seen.add(parent)
      chain.push(parent)
    }
    chains.set(level.name, chain)
  }
  return chains
}

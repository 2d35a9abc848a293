import { ConfigError, LEVEL_BITS, parseLevel, type Level } from './levels.js'

/** How a chain stores its levels: the base alone, every other level given an earlier one. */
export interface Topology {
  base: Level
  /** In storage order; each parent is the base or an earlier child. */
  conditionals: { level: Level; parent: Level }[]
}

/**
 * Parses `4 > 8|4 > 16|8`: stages separated by `>`, the first a lone level (the base), the
 * rest `child|parent` with a parent stored earlier. Every level appears once.
 */
export function parseTopology(text: string, field = 'topology'): Topology {
  const stages = text.split('>').map((stage) => stage.trim())
  if (stages.some((stage) => stage === '')) throw new ConfigError(`topology ${JSON.stringify(text)} has an empty stage`, { field })
  const [first, ...rest] = stages as [string, ...string[]]
  if (first.includes('|')) throw new ConfigError(`the first stage of ${JSON.stringify(text)} must be a base level, not ${first}`, { field })
  const base = parseLevel(first, field)
  const seen = new Set<Level>([base])
  const conditionals = rest.map((stage) => {
    const parts = stage.split('|')
    if (parts.length !== 2) throw new ConfigError(`stage ${JSON.stringify(stage)} must read child|parent`, { field })
    const level = parseLevel(parts[0] as string, field)
    const parent = parseLevel(parts[1] as string, field)
    if (seen.has(level)) throw new ConfigError(`level ${level} appears twice in ${JSON.stringify(text)}`, { field })
    if (!seen.has(parent)) throw new ConfigError(`in ${stage}, parent ${parent} is not stored before ${level}`, { field })
    seen.add(level)
    return { level, parent }
  })
  return { base, conditionals }
}

export function formatTopology(topology: Topology): string {
  return [topology.base, ...topology.conditionals.map(({ level, parent }) => `${level}|${parent}`)].join(' > ')
}

export function topologyLevels(topology: Topology): Level[] {
  return [topology.base, ...topology.conditionals.map(({ level }) => level)]
}

/** The default chain for a set of levels: the smallest as base, each next level given the one below (16/8/4 -> `4 > 8|4 > 16|8`). */
export function defaultTopology(levels: readonly Level[]): Topology {
  const sorted = [...new Set(levels)].sort((a, b) => LEVEL_BITS[a] - LEVEL_BITS[b])
  const [base, ...rest] = sorted
  if (base === undefined) throw new ConfigError('a chain needs at least one level', { field: 'levels' })
  return { base, conditionals: rest.map((level, index) => ({ level, parent: sorted[index] as Level })) }
}

import { FormatError } from './errors.js'
import type { CheckedIndex, CheckedLevel } from './index-check.js'

/** What to read to rebuild a level or a tensor. */
export interface ReadPlan {
  level: string
  /** The level, its parent, ... up to the base. */
  chain: readonly string[]
  /** Section ids in file order, each once. */
  sections: number[]
  /** Total bytes of those sections. */
  bytes: number
}

/** Every section a level needs: its files', its tensors' and, through `given`, its ancestors' tensors'. */
export function planLevel(checked: CheckedIndex, level: string, file: string): ReadPlan {
  const found = findLevel(checked, level, file)
  const fileSections = [...found.files.values()].flatMap((entry) => entry.sections)
  return plan(checked, found, [...found.tensors.keys()], fileSections)
}

/** The sections one tensor needs, including those of the parent tensors it is coded given. */
export function planTensor(checked: CheckedIndex, level: string, tensor: string, file: string): ReadPlan {
  const found = findLevel(checked, level, file)
  if (!found.tensors.has(tensor)) throw new FormatError('not-found', 'no such tensor in this level', { file, level, tensor })
  return plan(checked, found, [tensor], [])
}

export function findLevel(checked: CheckedIndex, level: string, file: string): CheckedLevel {
  const found = checked.levels.get(level)
  if (!found) throw new FormatError('not-found', `no such level; the container holds ${[...checked.levels.keys()].join(', ')}`, { file, level })
  return found
}

/** Walks `given` links with an explicit stack; each (level, tensor) is visited once. */
function plan(checked: CheckedIndex, start: CheckedLevel, tensors: readonly string[], extra: readonly number[]): ReadPlan {
  const ids = new Set(extra)
  const stack = tensors.map((name) => ({ level: start, name }))
  const visited = new Set<string>()
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const key = `${item.level.entry.name}\u0000${item.name}`
    if (visited.has(key)) continue
    visited.add(key)
    const tensor = item.level.tensors.get(item.name)
    if (!tensor) continue // cannot happen in a checked index: every `given` name exists
    const parent = item.level.entry.parent === null ? undefined : checked.levels.get(item.level.entry.parent)
    for (const id of tensor.sections) ids.add(id)
    if (parent) for (const name of tensor.given) stack.push({ level: parent, name })
  }
  const sections = [...ids].sort((a, b) => a - b)
  const bytes = sections.reduce((sum, id) => sum + (checked.index.sections[id]?.length ?? 0), 0)
  return { level: start.entry.name, chain: start.chain, sections, bytes }
}

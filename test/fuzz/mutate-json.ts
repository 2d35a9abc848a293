import type { Rng } from './rng.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Numbers that probe range checks: negatives, fractions, and 2^31, 2^32, 2^53 boundaries. */
const EDGE_NUMBERS = [0, -1, 1, 0.5, 7, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 1e308, -1e308]

/** A value of another kind or a nearby/edge value of the same kind. */
function replacement(value: Json, rng: Rng): Json {
  const roll = rng.int(10)
  if (typeof value === 'number' && roll < 6) return roll < 3 ? value + rng.pick([-1, 1, -8, 8, 32]) : rng.pick(EDGE_NUMBERS)
  if (typeof value === 'string' && roll < 5) return rng.chance(0.5) ? value.slice(0, rng.int(value.length + 1)) : `${value}${rng.pick(['x', '.', '/', '..', '\u0000', '|'])}`
  return rng.pick<Json>([null, true, 0, -1, 2 ** 53, '', 'F16', 'I32', [], {}, [0, 0], [2 ** 32, 1]])
}

/** Every container (object or array) in the tree, with its keys, so one slot can be picked uniformly. */
function slots(root: Json): { parent: Json[] | { [key: string]: Json }; key: string | number }[] {
  const found: { parent: Json[] | { [key: string]: Json }; key: string | number }[] = []
  const stack: Json[] = [root]
  while (stack.length > 0) {
    const node = stack.pop() as Json
    if (Array.isArray(node)) node.forEach((child, index) => (found.push({ parent: node, key: index }), stack.push(child)))
    else if (node !== null && typeof node === 'object') for (const [key, child] of Object.entries(node)) found.push({ parent: node, key }), stack.push(child)
  }
  return found
}

/**
 * Structure-aware mutation of a JSON document: change, retype, delete or duplicate one
 * value (1-3 times), so the text stays JSON and the mutation reaches the checks behind the
 * parser. Returns undefined when the text is not JSON.
 */
export function mutateJson(text: string, rng: Rng): { text: string; did: string } | undefined {
  let root: Json
  try {
    root = JSON.parse(text) as Json
  } catch {
    return undefined
  }
  const did: string[] = []
  const rounds = rng.chance(0.7) ? 1 : rng.range(2, 3)
  for (let i = 0; i < rounds; i++) {
    const all = slots(root)
    if (all.length === 0) break
    const { parent, key } = rng.pick(all)
    const action = rng.int(10)
    if (action < 7) {
      const value = replacement((parent as Record<string | number, Json>)[key] as Json, rng)
      ;(parent as Record<string | number, Json>)[key] = value
      did.push(`set ${key} = ${JSON.stringify(value)}`)
    } else if (action < 9) {
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key as string]
      did.push(`delete ${key}`)
    } else if (Array.isArray(parent)) {
      parent.push(parent[key as number] as Json)
      did.push(`duplicate [${key}]`)
    } else {
      parent[`${key}_`] = parent[key as string] as Json
      did.push(`copy key ${key}`)
    }
  }
  return { text: JSON.stringify(root), did: `json: ${did.join('; ')}` }
}

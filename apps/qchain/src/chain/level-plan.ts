import { join } from 'node:path'
import type { LevelRequest } from '@qchain/quantize'
import type { ChainConfig, LevelPlan } from '../config/load.js'

/** Where one level's checkpoint folder comes from: the source model, an existing folder, or a quantization. */
export interface LevelFolder {
  level: string
  parent: string | null
  dir: string
  /** Set when qchain quantizes this level. */
  request?: LevelRequest
}

/** The folder of every level, and the requests for the ones to quantize into `workDir`. */
export function levelFolders(config: ChainConfig, sourceDir: string, workDir: string): LevelFolder[] {
  const parents = new Map<string, string | null>([[config.topology.base, null], ...config.topology.conditionals.map(({ level, parent }) => [level, parent] as const)])
  return config.levels.map((plan) => {
    const parent = parents.get(plan.level) ?? null
    if (plan.level === '16') return { level: plan.level, parent, dir: sourceDir }
    if (plan.from) return { level: plan.level, parent, dir: plan.from }
    return { level: plan.level, parent, dir: join(workDir, plan.level), request: requestFor(plan) }
  })
}

function requestFor(plan: LevelPlan): LevelRequest {
  if (plan.level === 'int8') return { method: 'int8-rowwise' }
  const { method, groupSize, sym, actOrder, staticGroups, damp, blockSize, format } = plan.quantize
  return { method, options: { bits: Number(plan.level), groupSize, sym, actOrder, staticGroups, dampPercent: damp, blockSize }, format }
}

import { openLevelSource, type LevelSource } from '@qchain/chain/node'
import { PairAnalyzer, type Child, type Parent } from '@qchain/conditional'
import type { Topology } from '../config/topology.js'
import type { PairReport } from '../chain/report.js'

/**
 * Every conditional pair of a topology measured on the same matrices: our residual codec
 * and QStore's buckets (every byte counted) beside the order-0 bound.
 */
export async function analyzePairs(topology: Topology, folders: ReadonlyMap<string, string>, onPair?: (pair: string, done: number, total: number) => void): Promise<PairReport[]> {
  const reports: PairReport[] = []
  for (const [done, { level, parent }] of topology.conditionals.entries()) {
    onPair?.(`${level}|${parent}`, done, topology.conditionals.length)
    const [child, base] = [await openLevelSource(level, folders.get(level) as string), await openLevelSource(parent, folders.get(parent) as string)]
    try {
      const analyzer = new PairAnalyzer()
      for (const prefix of matrixPrefixes(child, base)) analyzer.add((await child.value(prefix)).value as Child, (await base.value(prefix)).value as Parent)
      const result = analyzer.result()
      reports.push({ level, parent, weights: result.weights, residualBytes: result.residual.total, qstoreBytes: result.qstore.total, boundBits: result.boundBits })
    } finally {
      await Promise.all([child.close(), base.close()])
    }
  }
  return reports
}

/** The matrices both levels hold: the parent's quantized ones that the child has too. */
function matrixPrefixes(child: LevelSource, parent: LevelSource): string[] {
  const childHas = (prefix: string) => (child.kind === 'half' ? child.folder.tensors.has(`${prefix}.weight`) : child.prefixes.includes(prefix))
  return parent.prefixes.filter(childHas)
}

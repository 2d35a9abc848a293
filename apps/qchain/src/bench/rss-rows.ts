import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { measurement, type Measurement } from './measure.js'
import { RSS_TARGET_SHAPE } from './targets.js'

// The repository's synthetic-model tool, found from this file in the monorepo (src/bench or dist/bench);
// run from the repository root, where `--import tsx` resolves whatever the caller's folder.
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const SCRIPT = join(REPO_ROOT, 'tools/synthetic-model/chain-rss.ts')

interface ChainRssResult {
  inputBytes: number
  outputBytes: number
  seconds: number
  peakRssBytes: number
}

/**
 * Peak memory of a whole `qchain chain` (16/8/4, RTN) on a synthetic Llama: TinyLlama-1.1B's
 * shape, or the `mini` shape in the quick run; one run per worker count, through
 * tools/synthetic-model (which generates the model once into `cacheDir`). Empty outside the monorepo.
 */
export async function rssRows(quick: boolean, workers: readonly number[], dir: string, cacheDir: string, status: (text: string) => void): Promise<Measurement[]> {
  if (!existsSync(SCRIPT)) return []
  const shape = quick ? 'mini' : RSS_TARGET_SHAPE
  const rows: Measurement[] = []
  for (const count of workers) {
    status(`chain of the ${shape} model, ${count} worker(s) (generated once into ${cacheDir})`)
    const out = join(dir, `rss-${count}.json`)
    await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, '--shape', shape, '--workers', String(count), '--cache', cacheDir, '--out', out], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 })
    const [result] = JSON.parse(await readFile(out, 'utf8')) as ChainRssResult[]
    const { inputBytes, outputBytes, seconds, peakRssBytes } = result as ChainRssResult
    rows.push({ ...measurement({ method: 'qchain', operation: 'chain', name: `chain 16/8/4 peak RSS (${shape}, rtn)`, group: 'rss', workers: count, runs: 1, inputBytes, outputBytes, seconds }), peakRssBytes })
  }
  return rows
}

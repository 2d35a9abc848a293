import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const CLI = join(REPO, 'apps/qchain/bin/qchain.js')
const MODEL = join(REPO, 'models/tiny')

export interface TestChain {
  path: string
  /** Each level's original checkpoint folder, to compare rebuilt files with. */
  levelDirs: Record<'4' | '8' | '16', string>
}

/**
 * A real 4 > 8|4 > 16|8 container of the embedded default model, made by the built CLI the way
 * a user makes one (few calibration windows and no evaluation: this tests loading, not quality).
 */
export async function makeTinyChain(dir: string): Promise<TestChain> {
  if (!existsSync(join(REPO, 'apps/qchain/dist/cli.js'))) throw new Error('apps/qchain is not built: run `npm run build` first')
  const out = join(dir, 'out')
  await promisify(execFile)(
    process.execPath,
    [CLI, 'chain', '--model', MODEL, '--levels', '16,8,4', '--topology', '4 > 8|4 > 16|8', '--samples', '4', '--seq-len', '64', '--no-eval', '--no-verify', '--checkpoints', '--name', 'tiny', '--out', out],
    { maxBuffer: 64 * 1024 * 1024 },
  )
  return { path: join(out, 'tiny.qchain'), levelDirs: { '4': join(out, 'tiny-levels', '4'), '8': join(out, 'tiny-levels', '8'), '16': MODEL } }
}

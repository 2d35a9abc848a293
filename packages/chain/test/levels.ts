import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadSequences } from '@qchain/calibration'
import { fixturePath } from '@qchain/fixtures'
import { quantizeModel } from '@qchain/quantize'

/** GPTQ 8-bit and 4-bit folders of a babyllama fixture (a few calibration sequences: this tests storage, not quality). */
export async function gptqLevels(fixture: string, dir: string): Promise<{ eight: string; four: string }> {
  const calibration = await loadSequences({ path: fixturePath(fixture, 'reference.json') }, { split: 'calibration', samples: 4, seqLen: 128, seed: 0, vocabSize: 105 })
  const level = (bits: number) => ({ request: { method: 'gptq' as const, options: { bits, groupSize: 128, sym: true }, format: 'gptq' as const }, target: join(dir, `${fixture}-gptq-${bits}`) })
  await quantizeModel(fixturePath(fixture), [level(8), level(4)], { calibration })
  return { eight: join(dir, `${fixture}-gptq-8`), four: join(dir, `${fixture}-gptq-4`) }
}

/** sha256 of every file in a folder, by name. */
export async function folderHashes(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const name of (await readdir(dir)).sort()) hashes[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex')
  return hashes
}

import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qchain } from './run-cli.js'

const CONFIG = fileURLToPath(new URL('../configs/tiny/chain.config.json', import.meta.url))
const committed = existsSync(fileURLToPath(new URL('../models/tiny/model.safetensors', import.meta.url)))

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-tiny-chain-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

// The README's main job, as configs/tiny runs it (its output folder moved to a temp one).
describe.skipIf(!committed)('configs/tiny: the embedded default chain', () => {
  it('chains, verifies and ranks the levels by quality: 16 <= 8 < 4', async () => {
    const run = await qchain('chain', '--config', CONFIG, '--out', dir, '--json')
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout) as { containerBytes: number; levels: { level: string; meanNll: number }[] }
    expect(report.containerBytes).toBe((await stat(join(dir, 'tiny.qchain')).then((file) => file.size)))
    const nll = Object.fromEntries(report.levels.map(({ level, meanNll }) => [level, meanNll]))
    expect(nll['16']).toBeLessThanOrEqual(nll['8'] as number)
    expect(nll['8']).toBeLessThan(nll['4'] as number)
    // Far below a uniform guess over the 128-symbol vocabulary (4.85 nats).
    expect(nll['16']).toBeLessThan(2)
  }, 900_000)
})

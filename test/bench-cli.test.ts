import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qchain } from './run-cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-bench-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('qchain bench --quick', () => {
  it('writes one well-formed row per measurement, and every coded output decodes back to its input', async () => {
    const out = join(dir, 'bench.json')
    const run = await qchain('bench', '--quick', '--workers', '1,2', '--cache', join(dir, 'cache'), '--out', out)
    expect(run.code, run.stderr).toBe(0)
    const { measurements, machine } = JSON.parse(await readFile(out, 'utf8'))
    expect(machine.cpus).toBeGreaterThan(0)
    // the CLI takes conditional's Node entry, which installs the native kernels where they built (CI builds them)
    expect(machine.kernels).toBe(process.env.QCHAIN_NATIVE === '0' ? 'webassembly' : 'native')
    expect(measurements.length).toBeGreaterThan(10)
    for (const row of measurements) {
      expect(typeof row.name).toBe('string')
      for (const field of ['inputBytes', 'outputBytes', 'seconds', 'MBps', 'ratio', 'workers', 'runs']) expect(Number.isFinite(row[field]), `${row.name}: ${field}`).toBe(true)
      expect(row.seconds, row.name).toBeGreaterThan(0)
      if (row.operation !== 'chain' && row.operation !== 'quantize') expect(row.fastestSeconds <= row.seconds && row.seconds <= row.slowestSeconds, `${row.name}: fastest <= median <= slowest`).toBe(true)
      // Quantizing is lossy and a pool start codes nothing; a chain row is a whole `qchain chain`, which verifies
      // itself (it fails unless every level rebuilds) and must report its peak memory. Every other row must round-trip.
      if (row.operation === 'chain') expect(row.peakRssBytes, row.name).toBeGreaterThan(0)
      if (row.operation === 'quantize' || row.operation === 'startup' || row.operation === 'chain') continue
      expect(row.rawSha256, row.name).toMatch(/^[0-9a-f]{64}$/)
      expect(row.restoredSha256, row.name).toBe(row.rawSha256)
    }
    const names = new Set(measurements.map((row: { name: string }) => row.name))
    for (const name of ['chain 16/8/4 peak RSS (mini, rtn)', 'small-fp16 decode 16|int8', 'small-fp16 zstd-3 decompress', 'small-fp16 zipnn-split decode', 'small-fp16 safetensors read']) expect(names).toContain(name)
    // Every qchain codec row is measured with both worker counts, and the second carries its speedup.
    const twoWorkers = measurements.filter((row: { method: string; workers: number; operation: string }) => row.method === 'qchain' && row.workers === 2 && !['startup', 'chain'].includes(row.operation))
    expect(twoWorkers.length).toBeGreaterThan(0)
    for (const row of twoWorkers) expect(row.speedup, row.name).toBeGreaterThan(0)
    expect(run.stdout).toContain('| pass |')
  })
})

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_NAMES, fixturePath, hasFixture } from '@qchain/fixtures'
import { qchain } from './run-cli.js'

let empty: string
beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'qchain-empty-'))
})
afterAll(async () => {
  await rm(empty, { recursive: true, force: true })
})

describe.skipIf(!FIXTURE_NAMES.every(hasFixture))('the built qchain binary on the fixtures', () => {
  it.each(FIXTURE_NAMES)('inspect %s --json lists every tensor', async (name) => {
    const { code, stdout } = await qchain('inspect', fixturePath(name), '--json')
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.tensors.length).toBe(report.totals.tensors)
    expect(report.totals.bytes).toBe(report.tensors.reduce((sum: number, t: { bytes: number }) => sum + t.bytes, 0))
  })
})

describe('the built qchain binary on bad input', () => {
  it('prints one line and exits non-zero for a missing path', async () => {
    const { code, stderr } = await qchain('inspect', join(empty, 'missing'))
    expect(code).toBe(4)
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })

  it('prints one line and exits 3 for a folder of the wrong kind, and the stack with --verbose', async () => {
    const plain = await qchain('inspect', empty)
    expect(plain.code).toBe(3)
    expect(plain.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^qchain: no .safetensors file found/)])
    const verbose = await qchain('inspect', empty, '--verbose')
    expect(verbose.stderr).toMatch(/at .*folder/)
  })
})

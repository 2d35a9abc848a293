import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { QchainError } from '@qchain/errors'
import { mutateBytes } from './mutate.js'
import { mutateJson } from './mutate-json.js'
import { OK, wrong, type FuzzTarget, type Verdict } from './outcome.js'
import { formatFailure } from './report.js'
import { Rng } from './rng.js'
import { runTarget } from './runner.js'

/** A target whose "decoder" misbehaves on purpose, one way per case index modulo 5. */
const faulty: FuzzTarget = {
  name: 'faulty',
  async prepare() {
    let index = 0
    return {
      async run(): Promise<Verdict> {
        switch (index++ % 5) {
          case 0:
            return OK
          case 1:
            throw new QchainError('TEST', 'refused')
          case 2:
            throw new TypeError('a plain TypeError')
          case 3:
            return wrong('not the original')
          default: {
            const start = Date.now()
            while (Date.now() - start < 30);
            return OK
          }
        }
      },
    }
  },
}

describe('the fuzz harness', () => {
  it('classifies every outcome and names the case that reproduces a failure', async () => {
    const report = await runTarget(faulty, { seed: 5, cases: 5, hangMs: 20 })
    expect(report.counts).toMatchObject({ ok: 1, 'typed-error': 1, crash: 1, 'wrong-output': 1, hang: 1 })
    const crash = report.failures.find((failure) => failure.outcome === 'crash')
    expect(crash).toMatchObject({ target: 'faulty', seed: 5, caseIndex: 2 })
    expect(formatFailure(crash!)).toContain('--target faulty --seed 5 --case 2')
    expect(crash!.detail).toContain('TypeError: a plain TypeError')
  })

  it('flags a case that allocates far more than its input', async () => {
    const hoarder: FuzzTarget = { name: 'hoarder', prepare: async () => ({ run: async () => (new Uint8Array(64 * 2 ** 20).fill(1), OK) }) }
    const report = await runTarget(hoarder, { seed: 1, cases: 1, memoryBytes: 16 * 2 ** 20 })
    expect(report.counts['huge-allocation']).toBe(1)
  })

  it('derives each case from (target, seed, index) alone', () => {
    const draw = (target: string, seed: number, index: number) => Array.from({ length: 4 }, ((rng) => () => rng.next())(Rng.forCase(target, seed, index)))
    expect(draw('huffman', 1, 7)).toEqual(draw('huffman', 1, 7))
    expect(draw('huffman', 1, 7)).not.toEqual(draw('huffman', 1, 8))
    expect(draw('huffman', 1, 7)).not.toEqual(draw('container', 1, 7))
  })

  it('mutators change copies, never their input', () => {
    const input = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)
    const copy = input.slice()
    const rng = new Rng(3)
    let changed = 0
    for (let i = 0; i < 500; i++) if (Buffer.compare(mutateBytes(input, rng).bytes, input) !== 0) changed++
    expect(Buffer.compare(input, copy)).toBe(0)
    expect(changed).toBeGreaterThan(450)
    const json = mutateJson('{"a":[1,2,{"b":"x"}]}', rng)
    expect(() => JSON.parse(json!.text)).not.toThrow()
  })
})

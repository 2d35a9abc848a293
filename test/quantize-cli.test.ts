import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { qchain } from './run-cli.js'

const MODEL = fixturePath('babyllama-105-fp16')
const REFERENCE = fixturePath('babyllama-105-fp16', 'reference.json')
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-quantize-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!hasFixture('babyllama-105-fp16'))('qchain quantize and qchain perplexity', () => {
  it('quantizes 8 and 4 bits in one pass, and scores every level', async () => {
    const quantized = await qchain('quantize', '--model', MODEL, '--bits', '8', '--bits', '4', '--calibration', REFERENCE, '--samples', '8', '--seq-len', '128', '--out', join(dir, 'levels'), '--json')
    expect(quantized.code).toBe(0)
    const summary = JSON.parse(quantized.stdout)
    expect(summary.outputs.map((output: { folder: string }) => output.folder)).toEqual([join(dir, 'levels', 'gptq-8bit'), join(dir, 'levels', 'gptq-4bit')])
    expect(quantized.stderr).toMatch(/quantize: \d\/5 block \d, level (8|4)/)
    const nll = async (model: string) => {
      const run = await qchain('perplexity', '--model', model, '--tokens', REFERENCE, '--seq-len', '256', '--json')
      expect(run.code).toBe(0)
      return JSON.parse(run.stdout) as { kind: string; meanNll: number; tokens: number }
    }
    const [full, eight, four] = [await nll(MODEL), await nll(join(dir, 'levels', 'gptq-8bit')), await nll(join(dir, 'levels', 'gptq-4bit'))]
    expect(full).toMatchObject({ kind: '16-bit', tokens: 2040 })
    expect(full.meanNll).toBeCloseTo(0.7249, 3)
    expect(eight.kind).toBe('GPTQ 8-bit')
    expect(eight.meanNll).toBeLessThan(four.meanNll)
    expect(four.meanNll).toBeLessThan(0.8)
  })

  it.each([
    ['bits outside {2,3,4,8}', ['--bits', '5', '--out', 'never'], /--bits must be one of/],
    ['group size 0', ['--bits', '4', '--group-size', '0', '--out', 'never'], /group_size must be/],
    ['no --out', ['--bits', '4'], /--out is required/],
    ['a damp that is not a number', ['--bits', '4', '--damp', 'lots', '--out', 'never'], /--damp must be a number/],
  ])('refuses %s with a usage error', async (_, flags, message) => {
    const run = await qchain('quantize', '--model', MODEL, ...flags)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
  })

  it('refuses empty calibration text, token ids beyond the vocabulary, and GPTQ without a forward pass', async () => {
    await writeFile(join(dir, 'empty.txt'), '')
    await writeFile(join(dir, 'big.json'), JSON.stringify([[1, 2, 500]]))
    const empty = await qchain('quantize', '--model', MODEL, '--bits', '4', '--calibration', join(dir, 'empty.txt'), '--out', join(dir, 'never'))
    expect(empty).toMatchObject({ code: 3, stderr: expect.stringMatching(/calibration text is empty/) })
    const big = await qchain('quantize', '--model', MODEL, '--bits', '4', '--calibration', join(dir, 'big.json'), '--out', join(dir, 'never'))
    expect(big).toMatchObject({ code: 3, stderr: expect.stringMatching(/token id 500 at position 2/) })
    if (hasFixture('isnet-fp16')) {
      const isnet = await qchain('quantize', '--model', fixturePath('isnet-fp16'), '--bits', '4', '--out', join(dir, 'never'))
      expect(isnet).toMatchObject({ code: 6, stderr: expect.stringMatching(/needs a supported config.json/) })
    }
  })
})

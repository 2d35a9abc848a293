import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { qchain } from './run-cli.js'

const MODEL = fixturePath('babyllama-105-fp16')
const REFERENCE = fixturePath('babyllama-105-fp16', 'reference.json')
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-chain-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!hasFixture('babyllama-105-fp16'))('qchain chain, extract, verify, inspect on babyllama-105-fp16', () => {
  it('chains 16/8/4 from a config file and reports numbers that the single-purpose commands confirm', async () => {
    const config = {
      source: MODEL,
      levels: [16, 8, 4],
      calibration: { source: REFERENCE, samples: 8, seqLen: 256 },
      evaluation: { source: REFERENCE, samples: 8, seqLen: 256 },
      output: { dir: 'out', checkpoints: true },
    }
    await writeFile(join(dir, 'chain.config.json'), JSON.stringify(config))
    const run = await qchain('chain', '--config', join(dir, 'chain.config.json'), '--json')
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout)
    const out = join(dir, 'out')
    const container = join(out, 'babyllama-105-fp16.qchain')
    expect(report.topology).toBe('4 > 8|4 > 16|8')
    expect(report.containerBytes).toBe((await stat(container)).size)
    for (const file of ['report.md', 'report.json', 'report.svg']) expect((await stat(join(out, file))).size).toBeGreaterThan(0)
    expect(await readFile(join(out, 'report.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/)

    // The report's perplexities are what `qchain perplexity` prints for the same folders and tokens.
    const levelDir = (level: string) => (level === '16' ? MODEL : join(out, 'babyllama-105-fp16-levels', level))
    for (const level of report.levels) {
      const alone = JSON.parse((await qchain('perplexity', '--model', levelDir(level.level), '--tokens', REFERENCE, '--seq-len', '256', '--samples', '8', '--json')).stdout)
      expect(level.meanNll).toBeCloseTo(alone.meanNll, 6)
    }
    // Its 4-bit Huffman-alone figure is what `qchain analyze` writes for that level.
    const analyzed = JSON.parse((await qchain('analyze', '--model', MODEL, '--level', levelDir('8'), '--level', levelDir('4'), '--json')).stdout)
    // ...and its conditional pairs are what `qchain analyze` measures on the same folders.
    expect(analyzed.topology).toBe(report.topology)
    expect(analyzed.pairs).toEqual(report.pairs)
    const four = analyzed.levels.find((level: { level: string }) => level.level === '4')
    const aloneMethod = report.methods.find((method: { method: string }) => method.method.startsWith('Huffman alone'))
    expect(aloneMethod.levels[report.levels.findIndex((level: { level: string }) => level.level === '4')]).toBe(four.coded.bytes + four.side.bytes + four.unchangedBytes)
    // The container is its levels' own sections, the shared sections, and the header, index and footer.
    const inspected = JSON.parse((await qchain('inspect', container, '--json')).stdout)
    const own = inspected.levels.reduce((sum: number, level: { ownBytes: number }) => sum + level.ownBytes, 0)
    expect(own + inspected.sharedBytes + inspected.indexBytes).toBe(inspected.size)
    expect(report.indexBytes).toBe(inspected.indexBytes)
    // A conditional level's own bytes are exactly the analyzer's residual streams plus its safetensors headers.
    for (const pair of analyzed.pairs) {
      const level = inspected.levels.find((candidate: { level: string }) => candidate.level === pair.level)
      expect(level.ownBytes - level.ownHeaderBytes).toBe(pair.residualBytes)
    }

    const verify = await qchain('verify', container)
    expect(verify.code).toBe(0)
    expect(verify.stdout).toMatch(/^ok: \d+ files of levels/)
    const extracted = await qchain('extract', container, '--level', '8', '--out', join(dir, 'eight'))
    expect(extracted.code).toBe(0)
    for (const file of ['model.safetensors', 'config.json', 'quantize_config.json', 'tokenizer.json']) {
      expect(Buffer.compare(await readFile(join(dir, 'eight', file)), await readFile(join(levelDir('8'), file))), file).toBe(0)
    }

    // Without baselines the report keeps every level's weights and bits, and only the raw and container rows.
    const lean = await qchain('chain', '--config', join(dir, 'chain.config.json'), '--no-baselines', '--no-eval', '--out', join(dir, 'lean'), '--json')
    expect(lean.code, lean.stderr).toBe(0)
    const leanReport = JSON.parse(lean.stdout)
    expect(leanReport.levels.map((level: { weights: number }) => level.weights)).toEqual(report.levels.map((level: { weights: number }) => level.weights))
    expect(leanReport.levels.map((level: { bitsPerWeight: number }) => level.bitsPerWeight)).toEqual(report.levels.map((level: { bitsPerWeight: number }) => level.bitsPerWeight))
    expect(leanReport.methods.map((method: { method: string }) => method.method)).toEqual(['raw checkpoint files', 'qchain container'])
    expect(Object.keys(leanReport.peakRssAfter)).toEqual(['quantize', 'encode', 'verify', 'report'])
    expect(leanReport.peakRssBytes).toBeGreaterThanOrEqual(leanReport.peakRssAfter.verify)
  })

  it('fails fast with the resolver message when the source is not on this machine, and on bad flags', async () => {
    const missing = await qchain('chain', '--model', 'mistralai/Mistral-7B-Instruct-v0.2', '--levels', '16,8,4', '--out', join(dir, 'never'))
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/looked in: .*huggingface-cli download mistralai\/Mistral-7B-Instruct-v0.2/)
    const bad = await qchain('chain', '--model', MODEL, '--levels', '16,5', '--out', join(dir, 'never'))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/levels/)
    const badTopology = await qchain('chain', '--model', MODEL, '--levels', '16,8', '--topology', '4 > 16|4', '--out', join(dir, 'never'))
    expect(badTopology.stderr).toMatch(/exactly the levels kept/)
  })

  it('refuses a damaged container in verify and extract with one line', async () => {
    const container = join(dir, 'out', 'babyllama-105-fp16.qchain')
    const bytes = await readFile(container)
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] as number) ^ 1
    await writeFile(join(dir, 'damaged.qchain'), bytes)
    const verify = await qchain('verify', join(dir, 'damaged.qchain'))
    expect(verify.code).toBe(5)
    expect(verify.stderr.trim().split('\n')).toHaveLength(1)
    expect(verify.stderr).toMatch(/section/)
  })
})

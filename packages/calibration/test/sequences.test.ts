import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture } from '@qchain/fixtures'
import { CalibrationError, loadSequences, loadTokenizer, type CalibrationSource, type SequenceOptions, type TextTokenizer } from '../src/index.js'

const FIXTURE = 'babyllama-105-fp16'
let dir: string
let tokenizer: TextTokenizer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-calibration-'))
  if (hasFixture(FIXTURE)) tokenizer = await loadTokenizer(fixturePath(FIXTURE))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const base: SequenceOptions = { split: 'calibration', samples: 4, seqLen: 64, seed: 0, vocabSize: 105 }

async function file(name: string, text: string): Promise<CalibrationSource> {
  const path = join(dir, name)
  await writeFile(path, text)
  return { path }
}

async function problemOf(source: CalibrationSource, options: Partial<SequenceOptions> = {}): Promise<CalibrationError> {
  const error = await loadSequences(source, { ...base, ...options }).catch((caught: unknown) => caught)
  expect(error).toBeInstanceOf(CalibrationError)
  return error as CalibrationError
}

describe('token files', () => {
  it('reads an array of arrays, taking the first samples and cutting to seqLen', async () => {
    const source = await file('tokens.json', JSON.stringify([[1, 2, 3, 4], [5, 6], [7, 8, 9]]))
    expect(await loadSequences(source, { ...base, samples: 2, seqLen: 3 })).toEqual([[1, 2, 3], [5, 6]])
  })

  it.skipIf(!hasFixture(FIXTURE))('reads the split field of reference.json', async () => {
    const source = { path: fixturePath(FIXTURE, 'reference.json') }
    const calibration = await loadSequences(source, { ...base, samples: 32, seqLen: 256 })
    const evaluation = await loadSequences(source, { ...base, split: 'evaluation', samples: 100, seqLen: 256 })
    expect([calibration.length, calibration[0]?.length, evaluation.length]).toEqual([32, 256, 8])
    expect(calibration[0]?.[0]).toBe(1)
  })

  it('names what is wrong with a token file', async () => {
    expect((await problemOf(await file('bad.json', '{"other": []}'))).context.field).toBe('calibration')
    expect((await problemOf(await file('bad2.json', '{"calibration": [[1, 2.5]]}'))).context.field).toBe('calibration.0.1')
    expect((await problemOf(await file('bad3.json', '[]'))).problem).toBe('invalid-file')
    expect((await problemOf(await file('bad4.json', '[[1,'))).problem).toBe('invalid-file')
    const outOfRange = await problemOf(await file('big.json', '[[1, 2], [3, 105]]'))
    expect(outOfRange.problem).toBe('token-out-of-range')
    expect(outOfRange.message).toMatch(/token id 105 at position 1 of sequence 1/)
  })
})

describe.skipIf(!hasFixture(FIXTURE))('text sources', () => {
  const text = 'Once upon a time there was a little girl who liked to play in the park with her dog. '.repeat(20)

  it('samples seeded windows of seqLen tokens from a text file', async () => {
    const source = await file('story.txt', text)
    const first = await loadSequences(source, { ...base, tokenizer })
    expect(first).toHaveLength(4)
    expect(first.every((sequence) => sequence.length === 64)).toBe(true)
    expect(await loadSequences(source, { ...base, tokenizer })).toEqual(first)
    expect(await loadSequences(source, { ...base, tokenizer, seed: 1 })).not.toEqual(first)
    expect(tokenizer.decode(first[0] as number[]).replaceAll('<s>', '')).toMatch(/^[A-Za-z .]+$/)
  })

  it('joins the text fields of a jsonl file', async () => {
    const source = await file('docs.jsonl', [JSON.stringify({ text }), '', JSON.stringify({ text: 'The end.' })].join('\n'))
    expect(await loadSequences(source, { ...base, tokenizer })).toHaveLength(4)
    expect((await problemOf(await file('bad.jsonl', '{"text": "a"}\n{"txt": "b"}'), { tokenizer })).message).toMatch(/line 2 has no string "text"/)
  })

  it('draws calibration and evaluation from the built-in corpus, deterministically', async () => {
    const calibration = await loadSequences('default', { ...base, tokenizer, samples: 3, seqLen: 128 })
    const evaluation = await loadSequences('default', { ...base, tokenizer, samples: 3, seqLen: 128, split: 'evaluation' })
    expect(calibration.map((s) => s.length)).toEqual([128, 128, 128])
    expect(calibration.every((s) => s[0] === 1)).toBe(true)
    expect(evaluation).not.toEqual(calibration)
    expect(await loadSequences('default', { ...base, tokenizer, samples: 3, seqLen: 128 })).toEqual(calibration)
  })

  it('refuses missing, empty and too-short text, and text without a tokenizer', async () => {
    expect((await problemOf({ path: join(dir, 'missing.txt') }, { tokenizer })).problem).toBe('not-found')
    expect((await problemOf(await file('empty.txt', '  \n'), { tokenizer })).problem).toBe('empty')
    expect((await problemOf(await file('short.txt', 'Hi.'), { tokenizer })).problem).toBe('too-short')
    expect((await problemOf(await file('story2.txt', text))).problem).toBe('invalid-options')
  })
})

describe('options', () => {
  it('refuses impossible sample counts and lengths', async () => {
    const source = await file('t.json', '[[1, 2]]')
    expect((await problemOf(source, { samples: 0 })).context.field).toBe('samples')
    expect((await problemOf(source, { seqLen: 1 })).context.field).toBe('seqLen')
    expect((await problemOf(source, { samples: 1 << 20, seqLen: 1 << 10 })).message).toMatch(/cap/)
  })
})

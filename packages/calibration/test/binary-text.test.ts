import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CalibrationError, loadSequences, type TextTokenizer } from '../src/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-calibration-binary-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A stand-in tokenizer: one id per character. */
const tokenizer: TextTokenizer = { encode: (text) => Array.from(text, (char) => (char.codePointAt(0) as number) % 100), decode: () => '' }

describe('a calibration file that is not UTF-8 text', () => {
  it('is refused as invalid-file rather than tokenized', async () => {
    const path = join(dir, 'weights.bin')
    await writeFile(path, Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24))
    const error = await loadSequences({ path }, { split: 'calibration', samples: 2, seqLen: 8, seed: 0, vocabSize: 100, tokenizer }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CalibrationError)
    expect(error).toMatchObject({ problem: 'invalid-file', message: expect.stringMatching(/not UTF-8 text/) })
  })

  it('UTF-8 text with non-ASCII characters still reads', async () => {
    const path = join(dir, 'text.txt')
    await writeFile(path, 'Grüße, 世界. '.repeat(50))
    const sequences = await loadSequences({ path }, { split: 'calibration', samples: 2, seqLen: 8, seed: 0, vocabSize: 100, tokenizer })
    expect(sequences.length).toBeGreaterThan(0)
  })
})

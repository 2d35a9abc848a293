// @qchain/calibration: token files are read as stored, the built-in corpus (nlp-corpus, found
// inside the installed package) gives seeded windows; on the fixture, its own tokenizer is used.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CalibrationError, loadSequences, loadTokenizer, parseTokenJson } from '@qchain/calibration'
import { check, withTempDir } from './check.mjs'
import { fixtureDir } from './fixture.mjs'

const tokens = { calibration: [[1, 5, 9, 2], [1, 7, 7, 7, 2]], evaluation: [[1, 3, 2]] }
check(parseTokenJson(JSON.stringify(tokens), 'evaluation', 'tokens.json')[0].join() === '1,3,2', 'the evaluation split')

await withTempDir(async (dir) => {
  const path = join(dir, 'tokens.json')
  await writeFile(path, JSON.stringify(tokens))
  const sequences = await loadSequences({ path }, { split: 'calibration', samples: 2, seqLen: 3, seed: 0, vocabSize: 10 })
  check(JSON.stringify(sequences) === '[[1,5,9],[1,7,7]]', `token file sequences cut to seqLen: ${JSON.stringify(sequences)}`)
  const tooBig = await loadSequences({ path }, { split: 'calibration', samples: 2, seqLen: 3, seed: 0, vocabSize: 8 }).then(() => undefined, (error) => error)
  check(tooBig instanceof CalibrationError && tooBig.problem === 'token-out-of-range', `id 9 >= vocab 8 is refused: ${tooBig}`)
})

// A byte-level stand-in tokenizer, so the built-in corpus is checked even without the fixture.
const bytesTokenizer = { encode: (text) => [...new TextEncoder().encode(text)], decode: (ids) => new TextDecoder().decode(Uint8Array.from(ids)) }
const options = { split: 'calibration', samples: 4, seqLen: 32, seed: 7, vocabSize: 256, tokenizer: bytesTokenizer }
const first = await loadSequences('default', options)
check(first.length === 4 && first.every((sequence) => sequence.length === 32), 'four windows of 32 tokens')
check(/[a-z]{3}/.test(bytesTokenizer.decode(first[0])), `English text: ${JSON.stringify(bytesTokenizer.decode(first[0]))}`)
check(JSON.stringify(await loadSequences('default', options)) === JSON.stringify(first), 'the same seed gives the same windows')
const evaluation = await loadSequences('default', { ...options, split: 'evaluation' })
check(JSON.stringify(evaluation) !== JSON.stringify(first), 'evaluation comes from other documents')

const fixture = fixtureDir('calibration')
if (fixture) {
  const tokenizer = await loadTokenizer(fixture)
  const ids = tokenizer.encode('the cat sat on the mat')
  check(ids.length > 0 && ids.every((id) => id < 105), `fixture tokenizer ids ${ids}`)
  check(tokenizer.decode(ids).includes('cat sat on the mat'), `decodes back: ${tokenizer.decode(ids)}`)
  const sequences = await loadSequences('default', { ...options, vocabSize: 105, tokenizer })
  check(sequences.length === 4 && sequences.flat().every((id) => id < 105), 'default corpus with the fixture tokenizer')
}
console.log('calibration ok')

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qchain } from './run-cli.js'

/**
 * Every command given a missing path, a folder of the wrong kind, a file that is not what it
 * should be, or an invalid config: one line on stderr naming the problem (the stack only with
 * --verbose), nothing on stdout, and the exit code the README documents
 * (2 usage, 3 bad input, 4 not found).
 */
const MODEL = resolve(import.meta.dirname, '../models/tiny')
const USAGE = 2
const INPUT = 3
const NOT_FOUND = 4

let root = ''
/** Paths in the table are written relative to `root` with these names. */
const at = (name: string) => join(root, name)

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qchain-cli-errors-'))
  await mkdir(at('empty'))
  // A folder of random files, one of them named like weights and one like a config.
  await mkdir(at('random'))
  const noise = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 24) & 0xff)
  await writeFile(at('random/model.safetensors'), noise(500, 1))
  await writeFile(at('random/config.json'), '{"model_type": ')
  await writeFile(at('random/notes.bin'), noise(3000, 2))
  await writeFile(at('not-json.json'), 'not json\nat all\n')
  await writeFile(at('bad-level.json'), JSON.stringify({ source: MODEL, levels: [16, 5] }))
  await writeFile(at('unknown-key.json'), JSON.stringify({ source: MODEL, levels: [16, 4], colour: 'blue' }))
  await writeFile(at('empty-source.json'), JSON.stringify({ source: at('empty'), levels: [16, 4] }))
}, 60_000)
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

type Row = [label: string, args: () => string[], code: number, message: RegExp]

const ROWS: Row[] = [
  ['inspect: missing path', () => ['inspect', at('missing')], NOT_FOUND, /no file or folder at/],
  ['inspect: empty folder', () => ['inspect', at('empty')], INPUT, /no .safetensors file found/],
  ['inspect: folder of random files', () => ['inspect', at('random')], INPUT, /header length/],
  ['inspect: missing container', () => ['inspect', at('missing.qchain')], NOT_FOUND, /no container file here/],
  ['verify: missing container', () => ['verify', at('missing.qchain')], NOT_FOUND, /no container file here/],
  ['verify: a folder', () => ['verify', at('empty')], INPUT, /a container is one .qchain file; this is a folder/],
  ['verify: a random file', () => ['verify', at('random/notes.bin')], INPUT, /not the qchain end magic/],
  ['extract: missing container', () => ['extract', at('missing.qchain'), '--level', '4', '--out', at('out')], NOT_FOUND, /no container file here/],
  ['extract: a folder', () => ['extract', at('random'), '--level', '4', '--out', at('out')], INPUT, /this is a folder/],
  ['extract: a random file', () => ['extract', at('random/notes.bin'), '--level', '4', '--out', at('out')], INPUT, /not the qchain end magic/],
  ['quantize: missing model', () => ['quantize', '--model', at('missing'), '--bits', '4', '--out', at('out')], NOT_FOUND, /no file or folder at/],
  ['quantize: empty folder', () => ['quantize', '--model', at('empty'), '--bits', '4', '--method', 'rtn', '--out', at('out')], INPUT, /no .safetensors file found/],
  ['quantize: folder of random files', () => ['quantize', '--model', at('random'), '--bits', '4', '--method', 'rtn', '--out', at('out')], INPUT, /header length/],
  ['quantize: missing calibration file', () => ['quantize', '--model', MODEL, '--bits', '4', '--calibration', at('missing.txt'), '--out', at('out')], NOT_FOUND, /no calibration file here/],
  ['quantize: binary calibration file', () => ['quantize', '--model', MODEL, '--bits', '4', '--calibration', at('random/notes.bin'), '--out', at('out')], INPUT, /not UTF-8 text/],
  ['quantize: --out is a file', () => ['quantize', '--model', MODEL, '--bits', '4', '--method', 'rtn', '--out', at('random/notes.bin')], INPUT, /a file is here; the output is a folder/],
  ['analyze: missing model', () => ['analyze', '--model', at('missing')], NOT_FOUND, /no file or folder at/],
  ['analyze: empty folder', () => ['analyze', '--model', at('empty')], INPUT, /no .safetensors file found/],
  ['analyze: folder of random files', () => ['analyze', '--model', at('random')], INPUT, /header length/],
  ['analyze: missing --level', () => ['analyze', '--model', MODEL, '--level', at('missing')], NOT_FOUND, /no file or folder at/],
  ['analyze: empty --level folder', () => ['analyze', '--model', MODEL, '--level', at('empty')], INPUT, /no .safetensors file found/],
  ['analyze: missing config', () => ['analyze', '--config', at('missing.json')], NOT_FOUND, /no config file here/],
  ['analyze: config that is not JSON', () => ['analyze', '--config', at('not-json.json')], INPUT, /not valid JSON/],
  ['analyze: config with a bad level', () => ['analyze', '--config', at('bad-level.json')], INPUT, /field "levels.1"/],
  ['analyze: a folder as config', () => ['analyze', '--config', at('empty')], INPUT, /a folder, not a config file/],
  ['perplexity: missing model', () => ['perplexity', '--model', at('missing')], NOT_FOUND, /no file or folder at/],
  ['perplexity: empty folder', () => ['perplexity', '--model', at('empty')], NOT_FOUND, /no config.json/],
  ['perplexity: folder of random files', () => ['perplexity', '--model', at('random')], INPUT, /not valid JSON/],
  ['perplexity: missing token file', () => ['perplexity', '--model', MODEL, '--tokens', at('missing.json')], NOT_FOUND, /no calibration file here/],
  ['perplexity: binary token file', () => ['perplexity', '--model', MODEL, '--tokens', at('random/notes.bin')], INPUT, /not UTF-8 text/],
  ['chain: missing model', () => ['chain', '--model', at('missing'), '--levels', '16,4', '--out', at('out')], NOT_FOUND, /no file or folder at/],
  ['chain: empty folder', () => ['chain', '--model', at('empty'), '--levels', '16,4', '--out', at('out')], INPUT, /no .safetensors file found/],
  ['chain: folder of random files', () => ['chain', '--model', at('random'), '--levels', '16,4', '--out', at('out')], INPUT, /header length/],
  ['chain: a bad level on the command line', () => ['chain', '--model', MODEL, '--levels', '16,5', '--out', at('out')], USAGE, /levels/],
  ['chain: missing config', () => ['chain', '--config', at('missing.json')], NOT_FOUND, /no config file here/],
  ['chain: config that is not JSON', () => ['chain', '--config', at('not-json.json')], INPUT, /not valid JSON/],
  ['chain: config with a bad level', () => ['chain', '--config', at('bad-level.json')], INPUT, /field "levels.1"/],
  ['chain: config with an unknown key', () => ['chain', '--config', at('unknown-key.json')], INPUT, /colour/],
  ['chain: config whose source is an empty folder', () => ['chain', '--config', at('empty-source.json')], INPUT, /no .safetensors file found/],
  ['chain: a folder as config', () => ['chain', '--config', at('empty')], INPUT, /a folder, not a config file/],
  ['bench: missing --fixtures', () => ['bench', '--quick', '--only', 'pool', '--fixtures', at('missing')], NOT_FOUND, /no folder here/],
  ['bench: --fixtures is a file', () => ['bench', '--quick', '--only', 'pool', '--fixtures', at('random/notes.bin')], INPUT, /a folder was expected/],
  ['bench: --out in a missing folder', () => ['bench', '--quick', '--only', 'pool', '--out', at('missing/results.json')], NOT_FOUND, /no folder here/],
]

describe('every command refuses bad paths and configs with one line and its exit code', () => {
  it.concurrent.each(ROWS)('%s', async (_, args, code, message) => {
    const run = await qchain(...args())
    const lines = run.stderr.trimEnd().split('\n')
    expect({ code: run.code, lines: lines.length, stdout: run.stdout }, run.stderr).toEqual({ code, lines: 1, stdout: '' })
    expect(lines[0]).toMatch(/^qchain: \S/)
    expect(lines[0]).toMatch(message)
  }, 120_000)

  // One row per command with --verbose: the same line, then the stack.
  const verboseRows = ROWS.filter(([label], index) => ROWS.findIndex(([other]) => other.split(':')[0] === label.split(':')[0]) === index)
  it.concurrent.each(verboseRows)('%s, with --verbose, adds the stack', async (_, args, code, message) => {
    const run = await qchain(...args(), '--verbose')
    expect(run.code).toBe(code)
    const [first, ...rest] = run.stderr.trimEnd().split('\n')
    expect(first).toMatch(message)
    expect(rest.join('\n')).toMatch(/^\s+at /m)
  }, 120_000)
})

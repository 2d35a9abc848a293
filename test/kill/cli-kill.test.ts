import { Buffer } from 'node:buffer'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeChain } from '@qchain/chain/node'
import { openContainerFile } from '@qchain/format/node'
import { describeKill, fromFirst, inParallel, killPlan, QCHAIN_BIN, runNode, strayHiddenNames, visibleNames, type Run } from './killer.js'

/**
 * SIGKILL tests of the outputs `qchain` writes: checkpoint folders (`quantize`), level
 * folders (`extract`) and the chain report files (`chain`). Each kill starts from a copy of
 * a folder holding a previous output, so "complete" can be the old output or the new one,
 * never a mix, a truncation or a half-filled folder under the final name.
 */
const MODEL = resolve(import.meta.dirname, '../../models/tiny')
const KILLS = 6
const PARALLEL = 2

let root: string
/** RTN 8-bit and 4-bit checkpoints of the tiny model, sharded so finishing them takes several renames. */
let eight: string
let four: string
let container: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qchain-kill-cli-'))
  await completed(qchain(['quantize', '--model', MODEL, '--method', 'rtn', '--bits', '8', '--bits', '4', '--max-shard-size', '700000', '--out', join(root, 'levels')]))
  eight = join(root, 'levels', 'rtn-8bit')
  four = join(root, 'levels', 'rtn-4bit')
  container = join(root, 'tiny.qchain')
  await writeChain(container, [
    { name: '4', parent: null, dir: four },
    { name: '8', parent: '4', dir: eight },
  ], { workers: 1 })
}, 300_000)
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const qchain = (args: readonly string[], kill?: Parameters<typeof runNode>[2]) => runNode([QCHAIN_BIN, ...args], root, kill)

async function completed(run: Promise<Run>): Promise<Run> {
  const done = await run
  expect(done.code, done.lines.join('\n')).toBe(0)
  return done
}

/** Every file's bytes under a folder's visible names; undefined when the folder is not there. */
async function folderBytes(dir: string): Promise<Map<string, Buffer> | undefined> {
  const names = await visibleNames(dir)
  if (names.length === 0) return undefined
  const files = new Map<string, Buffer>()
  for (const name of names) files.set(name, await readFile(join(dir, name)))
  return files
}

const sameFiles = (a: Map<string, Buffer> | undefined, b: Map<string, Buffer> | undefined) =>
  a !== undefined && b !== undefined && a.size === b.size && [...a].every(([name, bytes]) => b.get(name)?.equals(bytes))

/**
 * Kills `args(out)` (which writes the folder `out`) at seeded points, each time over a fresh
 * copy of `previous` at `out`; afterwards `out` must hold `previous` or `finished` exactly, or
 * nothing, and only recognisable temporaries may sit beside it. Then a full run must succeed.
 */
async function killFolderWriter(seed: number, args: (out: string) => string[], previous: string, finished: string): Promise<void> {
  const expected = { previous: await folderBytes(previous), finished: await folderBytes(finished) }
  const start = async (name: string) => {
    const parent = join(root, name)
    await mkdir(parent)
    await cp(previous, join(parent, 'out'), { recursive: true })
    return join(parent, 'out')
  }
  const referenceOut = await start(`reference-${seed}`)
  const { lines } = await completed(qchain(args(referenceOut)))
  expect(sameFiles(await folderBytes(referenceOut), expected.finished), 'an uninterrupted run writes the expected folder').toBe(true)
  const kills = killPlan(seed, lines, KILLS, fromFirst(lines, (line) => line.startsWith('@fs rename')))
  const runs = await inParallel(kills, PARALLEL, async (kill, k) => {
    const out = await start(`kill-${seed}-${k}`)
    const run = await qchain(args(out), kill)
    return { out, run, context: describeKill(kill, run) }
  })
  for (const { out, context } of runs) {
    const parent = join(out, '..')
    expect(await visibleNames(parent), context).toEqual((await visibleNames(out)).length ? ['out'] : [])
    expect(await strayHiddenNames(parent), context).toEqual([])
    const now = await folderBytes(out)
    if (now) expect(sameFiles(now, expected.previous) || sameFiles(now, expected.finished), `${context}: out holds ${[...now.keys()].join(', ')}`).toBe(true)
  }
  expect(runs.filter(({ run }) => run.killed).length).toBeGreaterThan(0)
  const last = (runs.at(-1) as (typeof runs)[number]).out
  await completed(qchain(args(last)))
  expect(sameFiles(await folderBytes(last), expected.finished)).toBe(true)
}

describe('SIGKILL during qchain commands that write folders', () => {
  it('quantize: the checkpoint folder is the previous one or the new one, whole', async () => {
    await killFolderWriter(0x9a11, (out) => ['quantize', '--model', MODEL, '--method', 'rtn', '--bits', '4', '--max-shard-size', '700000', '--out', out], eight, four)
  }, 300_000)

  it('extract: the level folder is the previous one or the new one, whole', async () => {
    await killFolderWriter(0xe71a, (out) => ['extract', container, '--level', '4', '--out', out], eight, four)
  }, 300_000)
})

/** A report's text with run-dependent parts (numbers: times, memory; the run's folder) made equal. */
function normalize(text: string, dir: string): string {
  return text.replaceAll(dir, '<dir>').replace(/\d+(\.\d+)?(e[+-]?\d+)?/g, 'N').replace(/[ \t-]+/g, ' ')
}

describe('SIGKILL during qchain chain', () => {
  it('each report file is the previous run\'s or the new run\'s, whole; the container verifies or is absent', async () => {
    const reports = ['report.json', 'report.md', 'report.svg']
    // A run folder: chain configs for a previous run (a: 16 and 8) and this one (b: 16 and 4), both writing to out/.
    const config = (name: string, level: string, dir: string) => ({
      name,
      source: MODEL,
      levels: { '16': {}, [level]: { from: dir } },
      evaluation: { enabled: false },
      report: { baselines: false },
      verify: false,
      workers: 1,
      output: { dir: 'out' },
    })
    const template = join(root, 'chain-template')
    await mkdir(template)
    await writeFile(join(template, 'a.json'), JSON.stringify(config('a', '8', eight)))
    await writeFile(join(template, 'b.json'), JSON.stringify(config('b', '4', four)))
    await completed(qchain(['chain', '--config', join(template, 'a.json')]))
    const previous = new Map(await Promise.all(reports.map(async (name) => [name, await readFile(join(template, 'out', name), 'utf8')] as const)))
    const copyTemplate = async (name: string) => {
      const dir = join(root, name)
      await cp(template, dir, { recursive: true })
      return dir
    }
    const reference = await copyTemplate('chain-reference')
    const { lines } = await completed(qchain(['chain', '--config', join(reference, 'b.json')]))
    const finished = new Map(await Promise.all(reports.map(async (name) => [name, normalize(await readFile(join(reference, 'out', name), 'utf8'), reference)] as const)))
    expect(finished.get('report.json')).not.toBe(normalize(previous.get('report.json') as string, template))

    // Most kills once the container is renamed into place: the report files are written then.
    const kills = killPlan(0xc4a1, lines, KILLS, fromFirst(lines, (line) => /@fs rename .*b\.qchain/.test(line)))
    const runs = await inParallel(kills, PARALLEL, async (kill, k) => {
      const dir = await copyTemplate(`chain-kill-${k}`)
      const run = await qchain(['chain', '--config', join(dir, 'b.json')], kill)
      return { dir, run, context: describeKill(kill, run) }
    })
    for (const { dir, context } of runs) {
      const out = join(dir, 'out')
      expect(await strayHiddenNames(out), context).toEqual([])
      for (const name of await visibleNames(out)) expect(['a.qchain', 'b.qchain', ...reports], context).toContain(name)
      for (const name of reports) {
        const text = await readFile(join(out, name), 'utf8')
        expect(text === previous.get(name) || normalize(text, dir) === finished.get(name), `${context}: ${name} is neither run's`).toBe(true)
      }
      if ((await visibleNames(out)).includes('b.qchain')) {
        const written = await openContainerFile(join(out, 'b.qchain'))
        await written.verify().finally(() => written.close())
      }
    }
    expect(runs.filter(({ run }) => run.killed).length).toBeGreaterThan(0)
    const last = (runs.at(-1) as (typeof runs)[number]).dir
    await completed(qchain(['chain', '--config', join(last, 'b.json')]))
    for (const name of reports) expect(normalize(await readFile(join(last, 'out', name), 'utf8'), last)).toBe(finished.get(name))
  }, 300_000)
})

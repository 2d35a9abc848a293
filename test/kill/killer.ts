import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Rng } from '../fuzz/rng.js'

const HERE = dirname(fileURLToPath(import.meta.url))
export const SLOW_FS = resolve(HERE, 'slow-fs.mjs')
export const QCHAIN_BIN = resolve(HERE, '../../apps/qchain/bin/qchain.js')
/** Each announced filesystem step waits this long, so kills land between steps. */
export const STEP_MS = 15

export interface Run {
  /** stderr lines, markers ("@fs ...") and progress alike, up to the kill. */
  lines: string[]
  stdout: string
  /** True when the SIGKILL ended the process; false when it exited first. */
  killed: boolean
  code: number | null
}

/** Where to kill: `delayMs` after stderr line `afterLine` (0-based) appeared. */
export interface KillPoint {
  afterLine: number
  delayMs: number
}

/**
 * Runs `node <args>` with the slow-fs preload announcing the steps under `watch`, and
 * SIGKILLs it at `kill` (never, when undefined). Resolves once the process is gone.
 */
export function runNode(args: readonly string[], watch: string, kill?: KillPoint): Promise<Run> {
  const child = spawn(process.execPath, ['--import', SLOW_FS, ...args], {
    cwd: HERE,
    env: { ...process.env, QCHAIN_TEST_SLOW_FS_MS: String(STEP_MS), QCHAIN_TEST_SLOW_FS_UNDER: watch },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let stdout = ''
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const parts = pending.split('\n')
    pending = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      if (kill && lines.length - 1 === kill.afterLine) setTimeout(() => child.kill('SIGKILL'), kill.delayMs)
    }
  })
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolvePromise({ lines: pending ? [...lines, pending] : lines, stdout, killed: signal === 'SIGKILL', code }))
  })
}

/**
 * `count` kill points over a reference run's stderr lines, from a seeded RNG: one in four
 * anywhere, the rest on the lines `focus` picks (the steps that publish output), each at a
 * delay from 0 to two filesystem steps, so some land before and some after the announced step.
 */
export function killPlan(seed: number, lines: readonly string[], count: number, focus: (line: string, index: number) => boolean = () => true): KillPoint[] {
  const rng = new Rng(seed)
  const all = lines.map((_, index) => index)
  const focused = all.filter((index) => focus(lines[index] as string, index))
  return Array.from({ length: count }, (_, k) => {
    const pool = k % 4 !== 0 && focused.length > 0 ? focused : all
    return { afterLine: pool[rng.int(pool.length)] as number, delayMs: rng.int(2 * STEP_MS + 1) }
  })
}

/** Runs `work` over `items`, at most `limit` at a time (each kill run is mostly waiting on a child). */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index] as T, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}

/** A focus for killPlan: every line from the first one `start` matches (e.g. the first rename: the commit) on. */
export function fromFirst(lines: readonly string[], start: (line: string) => boolean): (line: string, index: number) => boolean {
  const first = lines.findIndex(start)
  return (_, index) => first >= 0 && index >= first
}

/** Names in `dir` that do not start with a dot: what a user sees as output. */
export async function visibleNames(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => !name.startsWith('.')).sort()
}

/** What interrupted writers may leave: hidden, and named as temporary. */
const TEMPORARY = /^\..+\.(tmp|partial|old)$/

/** Hidden names in `dir` that are not recognisably temporary. */
export async function strayHiddenNames(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => name.startsWith('.') && !TEMPORARY.test(name))
}

/** Describes a kill for assertion messages. */
export function describeKill(point: KillPoint, run: Run): string {
  return `killed ${point.delayMs} ms after line ${point.afterLine}; last lines: ${run.lines.slice(-3).join(' | ')}`
}

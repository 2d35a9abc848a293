import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openContainerFile } from '../src/node/index.js'

const SECTIONS = 30
const SCRIPT = fileURLToPath(new URL('./slow-writer.ts', import.meta.url))

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-atomic-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/**
 * Runs the slow writer and SIGKILLs it `delayMs` after it printed line `afterLine`
 * (undefined: let it finish). Resolves once the child is gone.
 */
function runWriter(path: string, afterLine: number | undefined, delayMs: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, path, String(SECTIONS)], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  let buffered = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      if (lines.length - 1 === afterLine) setTimeout(() => child.kill('SIGKILL'), delayMs)
    }
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', () => resolve(lines))
  })
}

const exists = (path: string) => stat(path).then(() => true, () => false)

/** Seeded (LCG), so a failing kill point reproduces; KILL_SEED picks other points. */
let state = Number(process.env.KILL_SEED ?? 20241127) >>> 0
const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32

describe('an interrupted writer leaves no file under the final name', () => {
  it('SIGKILL at random points while sections stream in, and inside finish()', async () => {
    const kills = Array.from({ length: 5 }, () => ({ line: Math.floor(random() * SECTIONS), delay: Math.floor(random() * 12) }))
    kills.push({ line: SECTIONS, delay: 0 }) // the 'finishing' line: killed inside finish(), or just after it
    const results = await Promise.all(kills.map(async ({ line, delay }, i) => {
      const path = join(dir, `killed-${i}.qchain`)
      const lines = await runWriter(path, line, delay)
      return { path, line, delay, lines, exists: await exists(path) }
    }))
    const temporaries = (await readdir(dir)).filter((name) => name.endsWith('.tmp'))
    for (const result of results) {
      const context = `killed ${result.delay} ms after line ${result.line}, last line ${result.lines.at(-1)}`
      if (result.lines.at(-1) === 'done') continue // finish won the race; checked below
      if (!result.lines.includes('finishing')) {
        expect(result.exists, context).toBe(false)
        // The kill hit a half-written file: its temporary is still there, dot-named, and no reader accepts it.
        const temporary = temporaries.find((name) => name.startsWith(`.killed-${results.indexOf(result)}.qchain.`))
        expect(temporary, context).toBeDefined()
        await expect(openContainerFile(join(dir, temporary as string)), context).rejects.toMatchObject({ problem: expect.stringMatching(/^(no-footer|truncated)$/) })
      }
      if (result.exists) await (await openContainerFile(result.path)).verify() // renamed: must be complete
    }
    const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.qchain'))
    for (const name of leftovers) {
      const container = await openContainerFile(join(dir, name))
      await container.verify()
      await container.close()
    }
  }, 30_000)

  it('the same writer left alone produces a valid container', async () => {
    const path = join(dir, 'complete.qchain')
    expect((await runWriter(path, undefined, 0)).at(-1)).toBe('done')
    const container = await openContainerFile(path)
    try {
      expect(container.tensors('4').size).toBe(SECTIONS)
      expect((await container.verify()).sections).toBe(SECTIONS)
    } finally {
      await container.close()
    }
  }, 30_000)
})

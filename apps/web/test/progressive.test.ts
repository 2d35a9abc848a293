import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chainReader } from '@qchain/chain'
import type { SectionEntry } from '@qchain/format'
import { openContainerFile } from '@qchain/format/node'
import { startRangeServer, type RangeServer, type ServedRange } from '../server/range-server.js'
import { HAS_CHROMIUM, launchChromium, MISSING_CHROMIUM_MESSAGE, MUST_HAVE_CHROMIUM } from './browser.js'
import { makeTinyChain, REPO, type TestChain } from './container.js'
import { covered, indexStart, sectionsTouched } from './sections.js'

const WEB = resolve(fileURLToPath(import.meta.url), '../..')
const SCREENSHOT = join(WEB, 'test-output/upgraded-16.png')
const LEVELS = ['4', '8', '16'] as const

describe.runIf(!HAS_CHROMIUM && MUST_HAVE_CHROMIUM)('browser', () => {
  it('Chromium is installed (CI must not skip the browser tests)', () => {
    expect.fail(`${MISSING_CHROMIUM_MESSAGE}; CI=true, so the browser tests may not be skipped`)
  })
})

describe.skipIf(!HAS_CHROMIUM)('progressive loading in Chromium over HTTP range requests', () => {
  let dir: string
  let chain: TestChain
  let server: RangeServer
  let browser: Browser
  let sections: SectionEntry[]
  let plans: Record<string, number[]>
  let recorded: Record<string, Record<string, string>>
  let size: number

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qchain-web-'))
    const started = performance.now()
    chain = await makeTinyChain(dir)
    const built = performance.now()
    // Build the page from the current sources, so the test never drives a stale dist.
    await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn', build: { outDir: join(dir, 'dist'), emptyOutDir: true } })
    console.log(`container ${((built - started) / 1000).toFixed(1)} s, page build ${((performance.now() - built) / 1000).toFixed(1)} s`)
    // A copy with one byte flipped inside the first section the 8-bit level owns.
    const damaged = join(dir, 'damaged.qchain')
    await copyFile(chain.path, damaged)
    const container = await openContainerFile(chain.path)
    try {
      sections = container.index.sections
      size = container.source.size
      plans = Object.fromEntries(LEVELS.map((level) => [level, container.planLevel(level).sections]))
      const reader = chainReader(container)
      recorded = Object.fromEntries(LEVELS.map((level) => [level, Object.fromEntries(reader.files(level).map((file) => [file.name, file.sha256]))]))
    } finally {
      await container.close()
    }
    const target = sections.find((section) => section.level === '8' && section.length > 0) as SectionEntry
    const bytes = await readFile(damaged)
    const at = target.offset + Math.floor(target.length / 2)
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x40, at)
    await writeFile(damaged, bytes)
    server = await startRangeServer({ root: join(dir, 'dist'), files: { '/tiny.qchain': chain.path, '/damaged.qchain': damaged } })
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('loads the 4-bit base without a byte of 8|4 or 16|8, then upgrades to 8 and 16 fetching only their sections, every file byte for byte', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const served = (from: number) => server.log.slice(from).filter((range) => range.path === '/tiny.qchain')

    const t0 = performance.now()
    await page.goto(`${server.url}/?container=/tiny.qchain`)
    await waitForLevel(page, '4')
    const t4 = performance.now()
    const steps: Record<string, ServedRange[]> = { '4': served(0) }
    let mark = server.log.length
    for (const level of ['8', '16'] as const) {
      await page.click(`button[data-load="${level}"]`)
      await waitForLevel(page, level)
      steps[level] = served(mark)
      mark = server.log.length
    }
    const t16 = performance.now()
    await mkdir(join(WEB, 'test-output'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await mkdir(join(REPO, 'docs/images'), { recursive: true })
      await copyFile(SCREENSHOT, join(REPO, 'docs/images/web-demo.png'))
    }
    expect(errors).toEqual([])

    const all = served(0)
    expect(all.every((range) => range.status === 206)).toBe(true)
    // No byte of the container went over the wire twice: ancestors' sections are kept for upgrades.
    const sorted = [...all].sort((a, b) => a.start - b.start)
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end)

    const index = indexStart(sections)
    const ownedBy = (level: string) => sections.flatMap((section, id) => (section.level === level ? [id] : []))
    expect(ownedBy('8').length).toBeGreaterThan(0)
    expect(ownedBy('16').length).toBeGreaterThan(0)
    const allowed: Record<string, Set<number>> = {
      '4': new Set(plans['4']),
      '8': new Set(plans['8']!.filter((id) => !plans['4']!.includes(id))),
      '16': new Set(plans['16']!.filter((id) => !plans['8']!.includes(id))),
    }
    const report: string[] = []
    for (const level of LEVELS) {
      const ranges = steps[level]!
      // Besides its own sections, the first step reads only the size probe (in the header) and the footer and index.
      const sectionRanges = ranges.filter((range) => !(level === '4' && (range.end <= 16 || range.start >= index)))
      const touched = new Set(sectionRanges.flatMap((range) => sectionsTouched(range, sections)))
      expect([...touched].filter((id) => !allowed[level]!.has(id)), `level ${level} read sections outside its plan`).toEqual([])
      expect([...allowed[level]!].filter((id) => !covered(sections[id]!, ranges)), `level ${level} did not fetch all it needs`).toEqual([])
      if (level === '4') expect([...touched].filter((id) => sections[id]!.level === '8' || sections[id]!.level === '16')).toEqual([])
      if (level === '8') expect([...touched].filter((id) => sections[id]!.level === '16')).toEqual([])

      const bytes = ranges.reduce((sum, range) => sum + range.end - range.start, 0)
      const needed = [...allowed[level]!].reduce((sum, id) => sum + sections[id]!.length, 0)
      const ownBytes = ownedBy(level).reduce((sum, id) => sum + sections[id]!.length, 0)
      const row = await levelRow(page, level)
      // The page's own counter agrees with what the server sent (the base's row excludes the open reads).
      const openReads = level === '4' ? ranges.filter((range) => range.end <= 16 || range.start >= index).reduce((sum, range) => sum + range.end - range.start, 0) : 0
      expect(row.fetched).toBe(bytes - openReads)
      report.push(`level ${level}: served ${bytes} B in ${ranges.length} ranges (open reads ${openReads} B); needed sections ${needed} B, own sections ${ownBytes} B; standalone files ${row.standalone} B`)

      // Every rebuilt file: the page's SHA-256 equals the original file's on disk and the container's record.
      expect(row.state).toBe('verified')
      const files = await page.$$eval(`#files tr[data-level="${level}"]`, (rows) => rows.map((tr) => ({ name: tr.getAttribute('data-file'), sha256: tr.getAttribute('data-sha256'), ok: tr.getAttribute('data-ok') })))
      expect(files.every((file) => file.ok === 'true')).toBe(true)
      const pageHashes = Object.fromEntries(files.map((file) => [file.name, file.sha256]))
      expect(pageHashes, `level ${level}`).toEqual(await folderHashes(chain.levelDirs[level]))
      expect(pageHashes).toEqual(recorded[level])
    }
    const total = await page.$eval('#totals', (element) => Number(element.getAttribute('data-fetched')))
    expect(total).toBe(all.reduce((sum, range) => sum + range.end - range.start, 0))
    console.log([...report, `container ${size} B; fetched in all ${total} B`, `open + base ${((t4 - t0) / 1000).toFixed(2)} s, upgrades to 8 and 16 ${((t16 - t4) / 1000).toFixed(2)} s`].join('\n'))
    await page.close()
  })

  it('reports typed errors: a missing container, and a damaged 8-bit section found only on upgrade', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.url}/?container=/missing.qchain`)
    await page.waitForSelector('#status[data-state="error"]')
    expect(await page.$eval('#status', (element) => [element.getAttribute('data-problem'), element.textContent])).toEqual(['http-status', expect.stringMatching(/^RangeRequestError: HTTP 404/)])

    await page.goto(`${server.url}/?container=/damaged.qchain`)
    // The base never reads the damaged 8-bit section, so it loads and verifies.
    await waitForLevel(page, '4')
    await page.click('button[data-load="8"]')
    await page.waitForSelector('#status[data-state="error"]')
    expect(await page.$eval('#status', (element) => element.getAttribute('data-problem'))).toBe('section-checksum')
    expect((await levelRow(page, '8')).state).toBe('failed')
    await page.close()
  })
})

async function waitForLevel(page: Page, level: string): Promise<void> {
  await page.waitForSelector(`#levels tr[data-level="${level}"][data-state="verified"], #levels tr[data-level="${level}"][data-state="failed"], #status[data-state="error"]`, { timeout: 240_000 })
}

async function levelRow(page: Page, level: string): Promise<{ state: string; fetched: number; standalone: number }> {
  return page.$eval(`#levels tr[data-level="${level}"]`, (tr) => ({
    state: tr.getAttribute('data-state') ?? '',
    fetched: Number(tr.getAttribute('data-fetched')),
    standalone: Number(tr.getAttribute('data-standalone')),
  }))
}

async function folderHashes(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const name of (await readdir(dir)).sort()) hashes[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex')
  return hashes
}

// Every package under packages/ is packed with npm, installed from its tarball into an empty
// project outside the repository, and used there by name: what a user of the published
// packages gets. Needs `npm run build` first and the npm registry (or cache) for third-party
// dependencies.
import { existsSync, readFileSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, hasFixture, MISSING_FIXTURES_MESSAGE } from '@qchain/fixtures'
import { consumerTypeErrors } from './consumer-types.js'
import { importedPackages, installedDir, installedManifest, walkEntry } from './import-graph.js'
import { installTarballs, packWorkspaces, runNode, type PackResult } from './npm.js'
import { contentProblems } from './tarball-contents.js'
import { MAIN_ENTRY_RUNS_ANYWHERE, NODE_ONLY, REPO_ROOT, workspacePackages, type ExportEntry } from './workspace.js'

const SMOKE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'smoke')
const FIXTURE = 'babyllama-105-fp16'
const packages = workspacePackages()
const names = packages.map(({ short }) => [short] as const)

let work: string
let project: string
const packed = new Map<string, PackResult>()

beforeAll(async () => {
  const unbuilt = packages.filter(({ dir }) => !existsSync(join(dir, 'dist')))
  if (unbuilt.length > 0) throw new Error(`not built: ${unbuilt.map(({ short }) => short).join(', ')}; run npm run build first`)
  work = await mkdtemp(join(tmpdir(), 'qchain-pack-'))
  const tarballs = join(work, 'tarballs')
  project = join(work, 'project')
  await mkdir(tarballs)
  await mkdir(project)
  for (const result of await packWorkspaces(packages.map(({ dir }) => relative(REPO_ROOT, dir)), tarballs)) packed.set(result.name, result)
  console.info(`packed: ${[...packed.values()].map(({ name, size, unpackedSize }) => `${name} ${(size / 1024).toFixed(1)} KiB (${(unpackedSize / 1024).toFixed(0)} KiB unpacked)`).join(', ')}`)
  await cp(SMOKE_DIR, join(project, 'smoke'), { recursive: true })
  // @types/node: the /node entries' declarations use Node's types, as any Node consumer has them.
  await installTarballs(project, [...[...packed.values()].map(({ filename }) => join(tarballs, filename)), '@types/node@^20.19.0'])
}, 600_000)

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

const manifestOf = (short: string) => packages.find((p) => p.short === short)!

describe('packed tarballs', () => {
  it('cover every package under packages/, each with a declared runtime, installed in the project', () => {
    expect([...packed.keys()].sort()).toEqual(packages.map(({ manifest }) => manifest.name).sort())
    expect([...MAIN_ENTRY_RUNS_ANYWHERE, ...NODE_ONLY].sort()).toEqual(packages.map(({ short }) => short))
    for (const { manifest } of packages) expect(existsSync(join(installedDir(project, manifest.name), 'package.json')), manifest.name).toBe(true)
    // One copy of each: every @qchain dependency resolved to the packed tarball, none nested.
    for (const { manifest } of packages) expect(existsSync(join(installedDir(project, manifest.name), 'node_modules', '@qchain')), manifest.name).toBe(false)
  })

  it.each(names)('%s: the manifest is publishable', (short) => {
    const { manifest: source } = manifestOf(short)
    const manifest = installedManifest(project, source.name)
    const files = new Set(packed.get(source.name)!.files.map(({ path }) => path))
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/)
    expect(manifest.license).toBe('MIT')
    expect(manifest.type).toBe('module')
    expect(manifest.private).toBeUndefined()
    expect(Object.keys(manifest.exports ?? {})).toContain('.')
    for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
      const { types, default: main, ...conditions } = entry as ExportEntry
      expect({ subpath, types: types && files.has(types.slice(2)), main: main && files.has(main.slice(2)) }).toEqual({ subpath, types: true, main: true })
      for (const [condition, target] of Object.entries(conditions)) expect(target && files.has(target.slice(2)), `${subpath} ${condition}`).toBe(true)
    }
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      expect(range, `${name} must be a registry range`).not.toMatch(/^(workspace|file|link|portal):/)
      if (name.startsWith('@qchain/')) expect(range, name).toBe(installedManifest(project, name).version)
    }
  })

  it.each(names)('%s: ships dist/ and README.md only, no tests, no stale files, maps with their sources', (short) => {
    const { dir, manifest } = manifestOf(short)
    const paths = packed.get(manifest.name)!.files.map(({ path }) => path)
    expect(contentProblems(paths, dir, manifest.gypfile === true)).toEqual([])
    const mapsWithoutSources = paths
      .filter((path) => path.endsWith('.js.map'))
      .filter((path) => !(JSON.parse(readFileSync(join(installedDir(project, manifest.name), path), 'utf8')) as { sourcesContent?: unknown[] }).sourcesContent?.length)
    expect(mapsWithoutSources).toEqual([])
  })

  it.each(names)('%s: the README has a usage example that imports the package by name', (short) => {
    const { manifest } = manifestOf(short)
    const readme = readFileSync(join(installedDir(project, manifest.name), 'README.md'), 'utf8')
    const examples = [...readme.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)].map((match) => match[1] as string)
    expect(examples.some((code) => code.includes(`from '${manifest.name}'`) || code.includes(`from '${manifest.name}/`))).toBe(true)
  })

  it.each(names)('%s: imports only declared dependencies and stays inside its package', (short) => {
    const { manifest } = manifestOf(short)
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
    const undeclared = [...importedPackages(installedDir(project, manifest.name), manifest.name)].filter(([name]) => !declared.has(name))
    expect(undeclared.map(([name, file]) => `${name} (in ${file})`)).toEqual([])
    for (const subpath of Object.keys(manifest.exports ?? {})) {
      const entry = (manifest.exports?.[subpath] as ExportEntry).default as string
      expect(walkEntry(project, join(installedDir(project, manifest.name), entry)).broken, subpath).toEqual([])
    }
  })

  it.each(MAIN_ENTRY_RUNS_ANYWHERE.map((short) => [short] as const))('%s: the main entry reaches no Node built-in (browsers can bundle it)', (short) => {
    const { manifest } = manifestOf(short)
    const main = (manifest.exports?.['.'] as ExportEntry).default as string
    const graph = walkEntry(project, join(installedDir(project, manifest.name), main))
    expect(graph.builtins.map(({ specifier, file }) => `${specifier} in ${relative(join(project, 'node_modules'), file)}`)).toEqual([])
    expect(graph.files.length).toBeGreaterThan(0)
  })

  // Codec workers load these, and web pages bundle them: TensorFlow.js would cost each ~25 MB and 0.3 s.
  it.each([['tensor', '.'], ['gptq', './pack'], ['chain', '.']] as const)('%s: the entry %s loads no TensorFlow.js', (short, subpath) => {
    const { manifest } = manifestOf(short)
    const graph = walkEntry(project, join(installedDir(project, manifest.name), (manifest.exports?.[subpath] as ExportEntry).default as string))
    expect(graph.external.filter(({ specifier }) => specifier.startsWith('@tensorflow/')).map(({ specifier, file }) => `${specifier} in ${relative(join(project, 'node_modules'), file)}`)).toEqual([])
    expect(graph.files.length).toBeGreaterThan(0)
  })

  it('every entry type-checks in a consumer project, declarations included', async () => {
    const specifiers = packages.flatMap(({ manifest }) => Object.keys(manifest.exports ?? {}).map((subpath) => `${manifest.name}${subpath.slice(1)}`))
    expect(await consumerTypeErrors(project, specifiers)).toEqual([])
  })
})

describe('smoke scripts in the installed project', () => {
  const fixture = hasFixture(FIXTURE) ? fixturePath(FIXTURE) : undefined
  if (!fixture) console.info(`pack smoke scripts run without their fixture parts: ${MISSING_FIXTURES_MESSAGE}`)

  it('exist for every package', () => {
    expect(packages.filter(({ short }) => !existsSync(join(SMOKE_DIR, `${short}.mjs`))).map(({ short }) => short)).toEqual([])
  })

  it.each(names)('%s works when imported by name', async (short) => {
    const result = await runNode(project, [join('smoke', `${short}.mjs`)], { QCHAIN_SMOKE_FIXTURE_DIR: fixture })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    expect(result.stdout).toContain(`${short} ok`)
  }, 180_000)
})

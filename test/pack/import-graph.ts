import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Manifest } from './workspace.js'

// Static imports, re-exports and side-effect imports as tsc emits them (lists may span lines),
// and dynamic import() of a string literal. Type-only imports survive only in .d.ts files.
const STATIC_IMPORT = /(?:^|[\n;])\s*(?:import|export)(?:[\s\w{},*$]*?from)?\s*['"]([^'"\n]+)['"]/g
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g

export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(STATIC_IMPORT), ...source.matchAll(DYNAMIC_IMPORT)].map((match) => match[1] as string)
}

const BUILTINS = new Set(builtinModules)
export const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0] as string)

/** '@scope/name/sub' -> '@scope/name', 'name/sub' -> 'name'. */
export const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')

export function installedDir(projectDir: string, name: string): string {
  return join(projectDir, 'node_modules', ...name.split('/'))
}

export function installedManifest(projectDir: string, name: string): Manifest {
  return JSON.parse(readFileSync(join(installedDir(projectDir, name), 'package.json'), 'utf8')) as Manifest
}

/** The file a package specifier loads through the installed package's `exports` (default condition). */
export function resolveExport(projectDir: string, specifier: string): string | undefined {
  const name = packageName(specifier)
  const entry = installedManifest(projectDir, name).exports?.[`.${specifier.slice(name.length)}`]
  const target = typeof entry === 'string' ? entry : entry?.default
  return target === undefined ? undefined : join(installedDir(projectDir, name), target)
}

export interface EntryGraph {
  files: string[]
  /** Node built-ins reached, with the file that imports each. */
  builtins: { specifier: string; file: string }[]
  /** Third-party packages reached (where the walk stops), with the file that imports each. */
  external: { specifier: string; file: string }[]
  /** Relative imports that point at a missing file or leave their package. */
  broken: { specifier: string; file: string }[]
}

/**
 * Follows an entry's JavaScript imports through its own files and through the entries of the
 * @qchain packages it uses (as installed), stopping at third-party packages.
 */
export function walkEntry(projectDir: string, entryFile: string): EntryGraph {
  const graph: EntryGraph = { files: [], builtins: [], external: [], broken: [] }
  const seen = new Set<string>()
  const visit = (file: string, root: string) => {
    if (seen.has(file)) return
    seen.add(file)
    graph.files.push(file)
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier)
        if (!target.startsWith(root + sep) || !existsSync(target)) graph.broken.push({ specifier, file })
        else visit(target, root)
      } else if (isBuiltin(specifier)) {
        graph.builtins.push({ specifier, file })
      } else if (specifier.startsWith('@qchain/')) {
        const target = resolveExport(projectDir, specifier)
        if (target === undefined || !existsSync(target)) graph.broken.push({ specifier, file })
        else visit(target, installedDir(projectDir, packageName(specifier)))
      } else {
        graph.external.push({ specifier, file })
      }
    }
  }
  const root = entryFile.slice(0, entryFile.indexOf(`${sep}dist${sep}`))
  visit(entryFile, root)
  return graph
}

/** Every .js and .d.ts file under a folder. */
export function codeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return codeFiles(path)
    return /\.(js|d\.ts)$/.test(name) ? [path] : []
  })
}

/** Packages an installed package's code imports by name (itself and built-ins excluded). */
export function importedPackages(packageDir: string, self: string): Map<string, string> {
  const used = new Map<string, string>()
  for (const file of codeFiles(join(packageDir, 'dist'))) {
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.') || isBuiltin(specifier)) continue
      const name = packageName(specifier)
      if (name !== self && !used.has(name)) used.set(name, relative(packageDir, file))
    }
  }
  return used
}

import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** Test and benchmark code by its usual names: none of it may ship. */
const TEST_FILE = /(^|\/)(test|tests|__tests__|bench|fixtures?)\/|\.(test|spec|bench)\.[cm]?[jt]sx?(\.map)?$/

/** What a package built by node-gyp at install time ships besides dist/: its binding.gyp and C sources. */
const NATIVE_SOURCE = /^(binding\.gyp|native\/[\w-]+\.[ch])$/

/**
 * Problems with one tarball's file list: anything besides package.json, README.md and dist/
 * (and, when `gyp`, a node-gyp package's binding.gyp and native/ sources), test code,
 * declaration maps (they point into src/, which is not shipped), and compiled files with no
 * source in the package's src/ (left in dist/ by an older build).
 */
export function contentProblems(paths: readonly string[], packageDir: string, gyp = false): string[] {
  const problems: string[] = []
  for (const path of paths) {
    if (path !== 'package.json' && path !== 'README.md' && !path.startsWith('dist/') && !(gyp && NATIVE_SOURCE.test(path))) problems.push(`${path}: not dist/, README.md or package.json`)
    if (TEST_FILE.test(path)) problems.push(`${path}: test or benchmark code`)
    if (path.endsWith('.d.ts.map')) problems.push(`${path}: declaration map without its source`)
    const compiled = /^dist\/(.+)\.(js|d\.ts)$/.exec(path)
    if (compiled && !['.ts', '.tsx', '.mts'].some((ext) => existsSync(join(packageDir, 'src', `${compiled[1]}${ext}`)))) {
      problems.push(`${path}: no src/${compiled[1]}.ts (stale build output: rebuild with npm run build)`)
    }
  }
  if (!paths.includes('README.md')) problems.push('README.md is missing')
  return problems
}

import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { REPO_ROOT } from './workspace.js'

const run = promisify(execFile)

/**
 * The environment for npm and node children. Under `npm test` the parent exports npm_config_*
 * and npm_package_* variables (local prefix, workspace, ...) that would point a nested npm
 * back at this repository; only the user's cache and registry settings are kept.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'])
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) || keep.has(key.toLowerCase())) env[key] = value
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value
  return env
}

export interface PackedFile {
  path: string
  size: number
}

export interface PackResult {
  name: string
  version: string
  filename: string
  /** Bytes of the .tgz. */
  size: number
  unpackedSize: number
  files: PackedFile[]
}

/**
 * Packs the given workspace folders into `destination` with one npm call. Scripts are skipped:
 * the suite runs after `npm run build`, and prepack (a clean rebuild) would rewrite every dist/
 * that other test files are importing at the same time.
 */
export async function packWorkspaces(folders: readonly string[], destination: string): Promise<PackResult[]> {
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', destination, ...folders.flatMap((folder) => ['-w', folder])]
  const { stdout } = await run('npm', args, { cwd: REPO_ROOT, env: cleanEnv(), maxBuffer: 64 << 20 })
  return JSON.parse(stdout) as PackResult[]
}

/**
 * Makes `projectDir` (outside the repository) a project of its own and installs the tarballs
 * together, so @qchain dependencies resolve to the packed versions and third-party ones come
 * from the npm registry or cache.
 */
export async function installTarballs(projectDir: string, tarballs: readonly string[]): Promise<string> {
  await writeFile(join(projectDir, 'package.json'), `${JSON.stringify({ name: 'qchain-pack-smoke', private: true, type: 'module' }, null, 2)}\n`)
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs]
  const { stdout, stderr } = await run('npm', args, { cwd: projectDir, env: cleanEnv(), maxBuffer: 64 << 20 })
  return `${stdout}${stderr}`
}

export interface NodeRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs a script with plain node in the project; never throws on a non-zero exit. */
export async function runNode(projectDir: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<NodeRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: projectDir, env: cleanEnv(env), maxBuffer: 64 << 20 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) }
  }
}

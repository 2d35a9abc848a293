import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const PACKAGES_DIR = join(REPO_ROOT, 'packages')

export interface ExportEntry {
  types?: string
  default?: string
  [condition: string]: string | undefined
}

export interface Manifest {
  name: string
  version?: string
  license?: string
  type?: string
  private?: boolean
  exports?: Record<string, ExportEntry | string>
  files?: string[]
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  /** Built by node-gyp when installed: ships binding.gyp and its C sources. */
  gypfile?: boolean
}

export interface WorkspacePackage {
  /** The folder name under packages/, also the smoke script's name. */
  short: string
  dir: string
  manifest: Manifest
}

/** Every publishable package: each folder under packages/ with a package.json. */
export function workspacePackages(): WorkspacePackage[] {
  return readdirSync(PACKAGES_DIR)
    .filter((short) => existsSync(join(PACKAGES_DIR, short, 'package.json')))
    .sort()
    .map((short) => {
      const dir = join(PACKAGES_DIR, short)
      return { short, dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }
    })
}

/**
 * Where each package's main entry may run, as the README's package table says: "anywhere"
 * packages must not reach a Node built-in from their main entry (Node parts live in `/node`).
 * A new package must be added to one list, so the decision is made on purpose.
 */
export const MAIN_ENTRY_RUNS_ANYWHERE = ['chain', 'conditional', 'errors', 'format', 'gptq', 'huffman', 'safetensors', 'tensor']
export const NODE_ONLY = ['calibration', 'model', 'native', 'quantize']

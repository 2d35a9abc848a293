import { readFile, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { ModelError } from './errors.js'

export interface ResolvedModel {
  /** Absolute path of the model's folder (or file). */
  path: string
  /** How it was found: given as a path, or looked up in a Hugging Face cache. */
  origin: 'path' | 'hub-cache'
  hubId?: string
  revision?: string
}

export interface ResolveOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  home?: string
}

const HUB_ID = /^([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*)(?:@([\w./-]+))?$/
const COMMIT_HASH = /^[0-9a-f]{40}$/

/**
 * Finds a model: an existing local path, or a hub id `org/name[@revision]` in the Hugging
 * Face cache (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub). Nothing is downloaded;
 * when the model is missing the error lists every place looked and the download command.
 */
export async function resolveModel(reference: string, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const env = options.env ?? process.env
  const localPath = resolve(options.cwd ?? process.cwd(), reference)
  if (await exists(localPath)) return { path: localPath, origin: 'path' }
  const match = HUB_ID.exec(reference)
  if (!match || reference.startsWith('.') || reference.startsWith('/')) {
    throw new ModelError('not-found', `no file or folder at ${localPath}, and ${JSON.stringify(reference)} is not a hub id of the form org/name[@revision]`, { file: reference })
  }
  const [, org, name, revision = 'main'] = match as unknown as [string, string, string, string?]
  const hubId = `${org}/${name}`
  const looked: string[] = [localPath]
  for (const cache of cacheFolders(env, options.home ?? homedir())) {
    const repo = join(cache, `models--${org}--${name}`)
    const snapshot = await snapshotFor(repo, revision)
    looked.push(snapshot ?? join(repo, 'refs', revision))
    if (snapshot && (await exists(snapshot))) return { path: snapshot, origin: 'hub-cache', hubId, revision }
  }
  const download = `huggingface-cli download ${hubId}${revision === 'main' ? '' : ` --revision ${revision}`}`
  throw new ModelError('not-found', `model ${reference} is not on this machine; looked in: ${looked.join(', ')}; download it with: ${download}`, { file: reference })
}

/** Cache folders in the order the Hugging Face libraries prefer them, without repeats. */
export function cacheFolders(env: Record<string, string | undefined>, home: string): string[] {
  const folders = [env.HF_HUB_CACHE, env.HF_HOME && join(env.HF_HOME, 'hub'), join(home, '.cache', 'huggingface', 'hub')]
  return [...new Set(folders.filter((folder): folder is string => Boolean(folder)))]
}

async function snapshotFor(repo: string, revision: string): Promise<string | undefined> {
  if (COMMIT_HASH.test(revision)) return join(repo, 'snapshots', revision)
  const ref = await readFile(join(repo, 'refs', revision), 'utf8').catch(() => undefined)
  const hash = ref?.trim()
  return hash && COMMIT_HASH.test(hash) ? join(repo, 'snapshots', hash) : undefined
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

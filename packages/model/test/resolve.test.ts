import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheFolders, ModelError, resolveModel } from '../src/index.js'

const HASH = 'a'.repeat(40)
const OTHER = 'b'.repeat(40)
let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qchain-hub-'))
  const repo = join(root, 'hub', 'models--org--tiny')
  await mkdir(join(repo, 'snapshots', HASH), { recursive: true })
  await mkdir(join(repo, 'snapshots', OTHER), { recursive: true })
  await mkdir(join(repo, 'refs'), { recursive: true })
  await writeFile(join(repo, 'refs', 'main'), `${HASH}\n`)
  await writeFile(join(repo, 'refs', 'v2'), OTHER)
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const options = () => ({ env: { HF_HOME: root }, cwd: root, home: join(root, 'home') })

describe('resolveModel', () => {
  it('returns a local path as is', async () => {
    expect(await resolveModel('hub', options())).toEqual({ path: join(root, 'hub'), origin: 'path' })
  })

  it('finds a hub id in HF_HOME/hub through refs/main, a named ref, or a commit hash', async () => {
    expect((await resolveModel('org/tiny', options())).path).toBe(join(root, 'hub', 'models--org--tiny', 'snapshots', HASH))
    expect((await resolveModel('org/tiny@v2', options())).path).toBe(join(root, 'hub', 'models--org--tiny', 'snapshots', OTHER))
    expect(await resolveModel(`org/tiny@${OTHER}`, options())).toMatchObject({ origin: 'hub-cache', hubId: 'org/tiny', revision: OTHER })
  })

  it('prefers HF_HUB_CACHE, then HF_HOME/hub, then ~/.cache/huggingface/hub', () => {
    expect(cacheFolders({ HF_HUB_CACHE: '/c', HF_HOME: '/h' }, '/home/u')).toEqual(['/c', '/h/hub', '/home/u/.cache/huggingface/hub'])
    expect(cacheFolders({}, '/home/u')).toEqual(['/home/u/.cache/huggingface/hub'])
  })

  it('lists every place it looked and the download command when the model is missing', async () => {
    const error = await resolveModel('mistralai/Mistral-7B-Instruct-v0.2', { ...options(), env: { HF_HUB_CACHE: join(root, 'cache'), HF_HOME: root } }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ModelError)
    const message = (error as ModelError).message
    expect((error as ModelError).problem).toBe('not-found')
    expect(message).toContain(join(root, 'cache', 'models--mistralai--Mistral-7B-Instruct-v0.2', 'refs', 'main'))
    expect(message).toContain(join(root, 'hub', 'models--mistralai--Mistral-7B-Instruct-v0.2', 'refs', 'main'))
    expect(message).toContain(join(root, 'home', '.cache', 'huggingface', 'hub', 'models--mistralai--Mistral-7B-Instruct-v0.2'))
    expect(message).toContain('huggingface-cli download mistralai/Mistral-7B-Instruct-v0.2')
  })

  it('says when a reference is neither a path nor a hub id', async () => {
    await expect(resolveModel('./missing/dir/x', options())).rejects.toMatchObject({ problem: 'not-found' })
    await expect(resolveModel('not a model', options())).rejects.toThrow(/not a hub id/)
  })
})

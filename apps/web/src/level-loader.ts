import { chainReader, type ChainReader } from '@qchain/chain'
import { openContainer, sha256Hex, type Container } from '@qchain/format'
import { cachedSource } from './cached-source.js'
import { openRangeSource, type FetchEvent, type RangeSource } from './range-source.js'

export interface LevelSummary {
  name: string
  parent: string | null
  files: { name: string; size: number; sha256: string }[]
  /** What the level's files weigh as a standalone checkpoint folder. */
  standaloneBytes: number
  /** Bytes of the sections this level owns in the container. */
  ownBytes: number
}

export interface FileCheck {
  name: string
  size: number
  expected: string
  actual: string
  ok: boolean
}

export interface LevelLoad {
  level: string
  /** Container bytes fetched for this step only (ancestors' sections were kept from earlier steps). */
  fetchedBytes: number
  requests: number
  /** Everything fetched since the container was opened, when this level was ready. */
  totalFetchedBytes: number
  files: FileCheck[]
  ok: boolean
  millis: number
}

export interface ChainSession {
  readonly url: string
  readonly container: Container
  /** The network side: its counters say what has been downloaded. */
  readonly network: RangeSource
  /** Levels, base first, every parent before its children. */
  readonly levels: readonly LevelSummary[]
  /** Fetches what `level` needs and has not been fetched yet, rebuilds each file and checks its SHA-256. */
  loadLevel(level: string, onFile?: (name: string) => void): Promise<LevelLoad>
}

/** Opens a container by URL: a size probe, the footer and the index; no section byte yet. */
export async function openChain(url: string, onFetch?: (event: FetchEvent) => void): Promise<ChainSession> {
  const network = await openRangeSource(url, onFetch && { onFetch })
  const container = await openContainer(cachedSource(network))
  const reader = chainReader(container)
  return {
    url,
    container,
    network,
    levels: summarize(container, reader),
    loadLevel: (level, onFile) => loadLevel(container, reader, network, level, onFile),
  }
}

function summarize(container: Container, reader: ChainReader): LevelSummary[] {
  const ownBytes = new Map<string, number>()
  for (const section of container.index.sections) {
    if (section.level !== null) ownBytes.set(section.level, (ownBytes.get(section.level) ?? 0) + section.length)
  }
  const summaries = container.index.levels.map((level) => {
    const files = reader.files(level.name).map(({ name, size, sha256 }) => ({ name, size, sha256 }))
    return { name: level.name, parent: level.parent, files, standaloneBytes: files.reduce((sum, file) => sum + file.size, 0), ownBytes: ownBytes.get(level.name) ?? 0 }
  })
  // Depth from the base, so upgrades are listed in the order they can happen.
  const depth = (name: string) => container.chain(name).length
  return summaries.sort((a, b) => depth(a.name) - depth(b.name))
}

async function loadLevel(container: Container, reader: ChainReader, source: RangeSource, level: string, onFile?: (name: string) => void): Promise<LevelLoad> {
  const started = performance.now()
  const bytesBefore = source.fetchedBytes
  const requestsBefore = source.requests
  // One pass over the plan: neighbouring sections come in one ranged read each, every
  // checksum verified, and the cache skips what earlier levels already brought.
  await container.readSections(container.planLevel(level).sections)
  const files: FileCheck[] = []
  for (const file of reader.files(level)) {
    onFile?.(file.name)
    // Web Crypto hashes whole buffers, so a file is held only until its digest is known.
    const chunks: Uint8Array[] = []
    await reader.rebuildFile(level, file.name, (chunk) => {
      chunks.push(chunk)
    })
    const actual = await sha256Hex(concat(chunks))
    files.push({ name: file.name, size: file.size, expected: file.sha256, actual, ok: actual === file.sha256 })
  }
  return {
    level,
    fetchedBytes: source.fetchedBytes - bytesBefore,
    requests: source.requests - requestsBefore,
    totalFetchedBytes: source.fetchedBytes,
    files,
    ok: files.every((file) => file.ok),
    millis: performance.now() - started,
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

import { createHash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { chainReader, type ChainReader, type DecodeJob } from '@qchain/chain'
import { createCodecPool, createRebuilder, writeChain, type ChainLevelInput, type CodecPool } from '@qchain/chain/node'
import { encodeSymbols } from '@qchain/huffman'
import { openContainerFile } from '@qchain/format/node'
import { measurement, timeMedian, type Measurement } from './measure.js'

/** A chain to measure: its levels (base first), which prefixes of it to encode, which levels to decode. */
export interface ChainCase {
  group: string
  label: string
  levels: ChainLevelInput[]
  /** Lengths of the level prefixes whose container writes are timed, e.g. [1, 2]: the base alone, then base and next. */
  encodes: number[]
  /** Levels whose rebuild from the full container is timed. */
  decodes: string[]
}

const levelLabel = (level: ChainLevelInput) => (level.parent === null ? level.name : `${level.name}|${level.parent}`)

/**
 * Encode rows time writeChain, decode rows the rebuild of every file of a level from the full
 * container into a sink that only counts, both on a pool started beforehand (its start is a row
 * of its own). Each row's round trip is checked afterwards, untimed, by hashing what comes back.
 */
export async function chainRows(chain: ChainCase, pool: CodecPool, runs: number, dir: string): Promise<Measurement[]> {
  const { workers } = pool
  const rows: Measurement[] = []
  let full = ''
  for (const count of chain.encodes) {
    const levels = chain.levels.slice(0, count)
    const path = join(dir, `${chain.label}-${count}-w${workers}.qchain`)
    const { timing } = await timeMedian(runs, () => writeChain(path, levels, { pool }))
    const raw = await levelBytes(levels)
    const check = await roundTrip(path, levels)
    rows.push(
      measurement({
        method: 'qchain',
        operation: 'encode',
        name: `${chain.label} encode ${levels.map(levelLabel).join(' > ')}`,
        group: chain.group,
        workers,
        runs,
        ...timing,
        inputBytes: raw,
        outputBytes: (await stat(path)).size,
        ...check,
      }),
    )
    full = path
  }
  const container = await openContainerFile(full)
  try {
    const reader = chainReader(container)
    for (const name of chain.decodes) {
      const level = chain.levels.find((candidate) => candidate.name === name) as ChainLevelInput
      const rebuilder = createRebuilder(reader, pool)
      let bytes = 0
      const { timing } = await timeMedian(runs, async () => {
        bytes = 0
        for (const file of reader.files(name)) await rebuilder.rebuildFile(name, file.name, (chunk) => void (bytes += chunk.length))
      })
      const restored = createHash('sha256')
      for (const file of reader.files(name)) await rebuilder.rebuildFile(name, file.name, (chunk) => void restored.update(chunk))
      rows.push(
        measurement({
          method: 'qchain',
          operation: 'decode',
          level: levelLabel(level),
          name: `${chain.label} decode ${levelLabel(level)}`,
          group: chain.group,
          workers,
          runs,
          ...timing,
          inputBytes: container.planLevel(name).bytes,
          outputBytes: bytes,
          rawSha256: await originalSha256(reader, [level]),
          restoredSha256: restored.digest('hex'),
        }),
      )
    }
  } finally {
    await container.close()
  }
  return rows
}

/**
 * Hashes of the levels' original files and of the files the container rebuilds, in the same
 * order; rebuilt inline, as the worker count changes no byte (packages/chain tests that).
 */
async function roundTrip(path: string, levels: readonly ChainLevelInput[]): Promise<{ rawSha256: string; restoredSha256: string }> {
  const container = await openContainerFile(path)
  try {
    const reader = chainReader(container)
    const restored = createHash('sha256')
    for (const level of levels) for (const file of reader.files(level.name)) await reader.rebuildFile(level.name, file.name, (chunk) => void restored.update(chunk))
    return { rawSha256: await originalSha256(reader, levels), restoredSha256: restored.digest('hex') }
  } finally {
    await container.close()
  }
}

/**
 * Starting a pool of `workers` threads until each has loaded the codecs (one small job each),
 * then closing it: the fixed cost inside every encode row and every command run with workers.
 */
export async function poolStartRow(workers: number, runs: number): Promise<Measurement> {
  // Tensors under 64 KiB are decoded inline and jobs under 256 KiB share a batch: this one must reach a worker of its own.
  const bytes = Uint8Array.from({ length: 512 * 1024 }, (_, i) => Math.imul(i, 2654435761) >>> 24)
  const probe: DecodeJob = { kind: 'plain', level: 'pool', codec: 'plain-bytes', sections: [encodeSymbols(bytes)], sliceBytes: bytes.length, output: { tensor: 'probe', byteLength: bytes.length } }
  const { timing } = await timeMedian(runs, async () => {
    const pool = createCodecPool(workers)
    await Promise.all(Array.from({ length: workers }, () => pool.decode(probe)))
    await pool.close()
  })
  return { name: `worker pool start and close`, group: 'pool', method: 'qchain', operation: 'startup', workers, inputBytes: 0, outputBytes: 0, ...timing, runs, MBps: 0, ratio: 0 }
}

async function originalSha256(reader: ChainReader, levels: readonly ChainLevelInput[]): Promise<string> {
  const hash = createHash('sha256')
  for (const level of levels) for (const file of reader.files(level.name)) hash.update(await readFile(join(level.dir, file.name)))
  return hash.digest('hex')
}

/** Bytes of every file of the levels' folders: what the container holds. */
async function levelBytes(levels: readonly ChainLevelInput[]): Promise<number> {
  let total = 0
  for (const level of levels) for (const name of await readdir(level.dir)) total += (await stat(join(level.dir, name))).size
  return total
}

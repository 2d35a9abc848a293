import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { chainReader } from '@qchain/chain'
import { openContainer } from '@qchain/format'
import { bytesSource } from '@qchain/safetensors'
import { joinContainer, prefixOf, sealIndex, splitContainer, type ContainerParts } from '../corpus/container-parts.js'
import { buildTinyModel } from '../corpus/tiny-model.js'
import { mutateBytes } from '../mutate.js'
import { mutateJson } from '../mutate-json.js'
import { OK, wrong, type FuzzTarget, type Verdict } from '../outcome.js'
import type { Rng } from '../rng.js'

interface Corpus {
  name: string
  bytes: Uint8Array
  parts: ContainerParts
}

/**
 * How a case damages a container. `raw`: any bytes, checksums left as they are, so the
 * format's checks must catch it. `section` and `index`: a section's payload or the index JSON
 * changed and sealed again with valid checksums, so the damage reaches the codecs and the
 * index validation; a rebuild may then succeed with other bytes, which the recorded
 * SHA-256 catches (`detected`).
 */
type Mode = 'raw' | 'section' | 'index'

function mutateContainer(corpus: Corpus, rng: Rng, log: string[]): { bytes: Uint8Array; mode: Mode } {
  const roll = rng.float()
  if (roll < 0.45) {
    const { bytes, did } = mutateBytes(corpus.bytes, rng)
    log.push(`${corpus.name} raw: ${did}`)
    return { bytes, mode: 'raw' }
  }
  if (roll < 0.8) {
    const id = rng.int(corpus.parts.sections.length)
    const { bytes, did } = mutateBytes(corpus.parts.sections[id] as Uint8Array, rng)
    const sections = corpus.parts.sections.map((section, i) => (i === id ? bytes : section))
    log.push(`${corpus.name} section ${id} (${corpus.parts.index.sections[id]?.role}, level ${corpus.parts.index.sections[id]?.level}) resealed: ${did}`)
    return { bytes: joinContainer({ ...corpus.parts, sections }), mode: 'section' }
  }
  const mutated = mutateJson(JSON.stringify(corpus.parts.index), rng) as { text: string; did: string }
  log.push(`${corpus.name} index resealed: ${mutated.did}`)
  return { bytes: sealIndex(prefixOf(corpus.bytes), mutated.text), mode: 'index' }
}

/** A rebuilt file's or tensor's SHA-256 against the index: the first mismatch decides the verdict. */
function judge(mode: Mode, what: string, actual: string, recorded: string, original: string | undefined): Verdict | undefined {
  if (mode !== 'raw') return actual === recorded ? undefined : { outcome: 'detected' }
  // Raw damage leaves the index's checksum in force, so the index and every byte rebuilt must be the original's.
  return actual === recorded && actual === original ? undefined : wrong(`${what} rebuilt with SHA-256 ${actual}, recorded ${recorded}, original ${original}`)
}

/**
 * Rebuilds every file of every level (rebuildFile), or reads every tensor of every level
 * (tensorBytes, which skips the checks a file's header adds), and hashes what comes back.
 */
async function readAll(bytes: Uint8Array, mode: Mode, byTensor: boolean, original: Corpus): Promise<Verdict> {
  const container = await openContainer(bytesSource(bytes, original.name))
  const reader = chainReader(container)
  for (const level of container.levels) {
    const originalLevel = original.parts.index.levels.find(({ name }) => name === level)
    if (byTensor) {
      for (const entry of container.tensors(level).values()) {
        const actual = createHash('sha256').update(await reader.tensorBytes(level, entry.name)).digest('hex')
        const verdict = judge(mode, `level ${level} tensor ${entry.name}`, actual, entry.sha256, originalLevel?.tensors.find(({ name }) => name === entry.name)?.sha256)
        if (verdict) return verdict
      }
      continue
    }
    for (const file of reader.files(level)) {
      const hash = createHash('sha256')
      await reader.rebuildFile(level, file.name, (chunk) => {
        hash.update(chunk)
      })
      const verdict = judge(mode, `level ${level} file ${file.name}`, hash.digest('hex'), file.sha256, originalLevel?.files.find(({ name }) => name === file.name)?.sha256)
      if (verdict) return verdict
    }
  }
  // Every byte of a container is covered by a check once verify() has run: raw damage cannot pass it.
  if (mode === 'raw' && Buffer.compare(bytes, original.bytes) !== 0) {
    await container.verify()
    return wrong('a damaged container opened, rebuilt and passed verify()')
  }
  return OK
}

/** .qchain containers: openContainer, then chainReader(...).rebuildFile (or tensorBytes) for everything in every level. */
export const containerTarget: FuzzTarget = {
  name: 'container',
  async prepare() {
    const { containers } = await buildTinyModel()
    const corpora = containers.map(({ name, bytes }) => ({ name, bytes, parts: splitContainer(bytes) }))
    return {
      async run(rng, log): Promise<Verdict> {
        const corpus = rng.pick(corpora)
        const { bytes, mode } = mutateContainer(corpus, rng, log)
        const byTensor = rng.chance(0.3)
        if (byTensor) log.push('read by tensor')
        return readAll(bytes, mode, byTensor, corpus)
      },
    }
  },
}

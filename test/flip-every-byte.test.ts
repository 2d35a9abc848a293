import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { chainReader } from '@qchain/chain'
import { isQchainError } from '@qchain/errors'
import { ALIGNMENT, HEADER_BYTES, openContainer, type Container } from '@qchain/format'
import { bytesSource } from '@qchain/safetensors'
import { buildTinyModel } from './fuzz/corpus/tiny-model.js'

/**
 * Flips every byte of small but complete containers, one at a time, and opens and decodes
 * every level of each: the flip must be refused with a QchainError on open or while decoding,
 * never decode to other bytes, never surface as a RangeError or TypeError. The only bytes a
 * decode does not read are the file header and the zero padding after sections; for those
 * the decode must give back the original bytes, and verify() must refuse the file.
 */
const TENSORS = [
  { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F16', shape: [8, 32] },
  { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'F16', shape: [8, 64] },
  { name: 'model.norm.weight', dtype: 'F16', shape: [8] },
  { name: 'lm_head.bias', dtype: 'F32', shape: [4] },
] as const

type Outcome = 'open' | 'decode' | 'verify'

let containers: { name: string; bytes: Uint8Array }[]
beforeAll(async () => {
  containers = (await buildTinyModel(TENSORS.map((spec) => ({ ...spec, shape: [...spec.shape] })))).containers
}, 120_000)

/** SHA-256 of every file of every level, rebuilt the way extract and verify rebuild them. */
async function rebuildAll(container: Container): Promise<Map<string, string>> {
  const reader = chainReader(container)
  const hashes = new Map<string, string>()
  for (const level of container.levels) {
    for (const file of reader.files(level)) {
      const hash = createHash('sha256')
      await reader.rebuildFile(level, file.name, (chunk) => {
        hash.update(chunk)
      })
      hashes.set(`${level}/${file.name}`, hash.digest('hex'))
    }
  }
  return hashes
}

/** Offsets no decode reads: the file header, and each section's padding up to the next multiple of 8. */
function undecodedBytes(container: Container): Set<number> {
  const offsets = new Set<number>(Array.from({ length: HEADER_BYTES }, (_, i) => i))
  for (const { offset, length } of container.index.sections) {
    const end = offset + length
    for (let at = end; at < Math.ceil(end / ALIGNMENT) * ALIGNMENT; at++) offsets.add(at)
  }
  return offsets
}

/** Where the damage was refused, or why that is a failure. */
async function judge(bytes: Uint8Array, name: string, original: Map<string, string>): Promise<Outcome | { failure: string }> {
  const typed = (stage: Outcome, error: unknown) => (isQchainError(error) ? stage : { failure: `${stage} threw ${(error as Error)?.name}: ${(error as Error)?.message}` })
  let container: Container
  try {
    container = await openContainer(bytesSource(bytes, name))
  } catch (error) {
    return typed('open', error)
  }
  try {
    const hashes = await rebuildAll(container)
    const differ = [...original].filter(([file, hash]) => hashes.get(file) !== hash).map(([file]) => file)
    if (differ.length > 0 || hashes.size !== original.size) return { failure: `decoded without error to other bytes: ${differ.join(', ')}` }
  } catch (error) {
    return typed('decode', error)
  }
  try {
    await container.verify()
  } catch (error) {
    return typed('verify', error)
  }
  return { failure: 'opened, decoded to the original bytes and passed verify()' }
}

describe('every single-byte flip of a container is reported', () => {
  it.each(['gptq.qchain', 'int8.qchain'])('%s: refused on open or decode, or (header, padding) decoded unchanged and refused by verify()', async (name) => {
    const bytes = Uint8Array.from((containers.find((container) => container.name === name) as { bytes: Uint8Array }).bytes)
    const intact = await openContainer(bytesSource(bytes, name))
    const original = await rebuildAll(intact)
    const undecoded = undecodedBytes(intact)
    const counts: Record<Outcome, number> = { open: 0, decode: 0, verify: 0 }
    const failures: string[] = []
    const started = performance.now()
    for (let at = 0; at < bytes.length; at++) {
      bytes[at] = (bytes[at] as number) ^ 0xff
      const outcome = await judge(bytes, name, original)
      bytes[at] = (bytes[at] as number) ^ 0xff
      if (typeof outcome === 'object') failures.push(`byte ${at}: ${outcome.failure}`)
      else if ((outcome === 'verify') !== undecoded.has(at)) failures.push(`byte ${at}: refused on ${outcome}, expected ${undecoded.has(at) ? 'verify' : 'open or decode'}`)
      else counts[outcome]++
    }
    console.log(`${name}: ${bytes.length} flips in ${((performance.now() - started) / 1000).toFixed(1)} s, refused on open ${counts.open}, decode ${counts.decode}, verify ${counts.verify}`)
    expect(failures.slice(0, 10)).toEqual([])
    expect(counts.verify).toBe(undecoded.size)
    expect(counts.open + counts.decode + counts.verify).toBe(bytes.length)
  }, 300_000)
})

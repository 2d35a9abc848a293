import { createHash } from 'node:crypto'
import type { ByteSource } from '@qchain/safetensors'
import type { ContainerWriter, LevelSpec } from '../src/index.js'

/** The chain every test writes: base 4, 8 given 4, 16 given 8. */
export const LEVELS: LevelSpec[] = [
  { name: '4', parent: null },
  { name: '8', parent: '4' },
  { name: '16', parent: '8' },
]

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let state = seed * 2654435761 + 1 || 1
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[i] = state & 0xff
  }
  return bytes
}

export interface WrittenChain {
  /** Every section's bytes by id. */
  sections: Map<number, Uint8Array>
  /** Verbatim files by level, then name. */
  files: Map<string, Map<string, Uint8Array>>
}

/**
 * Writes a small but complete chain: shared tensors (embedding, norm) stored once, a
 * quantized linear per level coded given its parent, a level-wide table used by two
 * tensors, per-level config.json, a tokenizer.json identical in all levels, an empty file,
 * and a rebuilt model.safetensors whose header bytes are a section of their own.
 */
export async function writeChain(writer: ContainerWriter): Promise<WrittenChain> {
  const sections = new Map<number, Uint8Array>()
  let seed = 1
  const section = async (length: number, role: string, level: string | null) => {
    const bytes = randomBytes(length, seed++)
    const id = await writer.addSection(bytes, { role, level })
    sections.set(id, bytes)
    return id
  }
  const files = new Map<string, Map<string, Uint8Array>>()
  const tokenizer = randomBytes(3001, 99)
  const embed = await section(4099, 'raw', null)
  const norm = await section(8, 'raw', null)
  const shared = (level: string) => [
    { name: 'model.embed_tokens.weight', file: 'model.safetensors', dtype: 'F16', shape: [64, 32], codec: 'huffman-16', sections: [embed], sha256: 'a'.repeat(64) },
    { name: 'model.norm.weight', file: 'model.safetensors', dtype: 'F16', shape: [4], codec: 'raw', sections: [norm], sha256: 'b'.repeat(64), params: { level } },
  ]
  for (const [i, { name: level, parent }] of LEVELS.entries()) {
    const config = new TextEncoder().encode(JSON.stringify({ bits: level, i }))
    files.set(level, new Map([['config.json', config], ['tokenizer.json', tokenizer], ['.gitattributes', new Uint8Array(0)]]))
    for (const [name, bytes] of files.get(level) as Map<string, Uint8Array>) await writer.addFile(level, name, bytes)
    const header = await section(100 + i, 'header', level)
    writer.addRebuiltFile(level, { name: 'model.safetensors', size: 12345 + i, sha256: String(i).repeat(64), sections: [header] })
    for (const tensor of shared(level)) writer.addTensor(level, tensor)
    const table = await section(257 * (i + 1), 'table', level)
    for (const [j, linear] of ['q', 'k'].entries()) {
      const given = parent === null ? [] : parent === '4' ? [`${linear}.qweight`, `${linear}.scales`] : [`${linear}.qweight`]
      const main = level === '16' ? `${linear}.weight` : `${linear}.qweight`
      const payload = await section(1000 * (i + 1) + 37 * j, parent === null ? 'payload' : 'residual', level)
      writer.addTensor(level, { name: main, file: 'model.safetensors', dtype: level === '16' ? 'F16' : 'I32', shape: [16, 8], codec: `codec-${level}`, sections: [table, payload], given, params: { bits: Number(level) || 16, sym: true }, sha256: 'c'.repeat(64) })
      if (level !== '16') {
        const scales = await section(61 + j, 'side', level)
        writer.addTensor(level, { name: `${linear}.scales`, file: 'model.safetensors', dtype: 'F16', shape: [1, 8], codec: 'raw', sections: [scales], sha256: 'd'.repeat(64) })
      }
    }
  }
  return { sections, files }
}

/** A byte source that records every range asked of it. */
export function recording(source: ByteSource): ByteSource & { ranges: [number, number][] } {
  const ranges: [number, number][] = []
  return {
    name: source.name,
    size: source.size,
    ranges,
    slice(start, end) {
      ranges.push([start, end])
      return source.slice(start, end)
    },
  }
}

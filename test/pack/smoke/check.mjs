// Tiny assertion helpers for the smoke scripts: they run with plain `node` in a project that has
// only the packed tarballs installed, so they cannot use vitest or anything from the repository.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`)
}

export function sameBytes(actual, expected, message) {
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength)
  const b = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength)
  check(a.length === b.length, `${message}: ${a.length} bytes, expected ${b.length}`)
  const at = a.findIndex((byte, i) => byte !== b[i])
  check(at === -1, `${message}: first difference at byte ${at}`)
}

/** mulberry32, so every run checks the same data. */
export function seededRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/** Roughly normal values (sum of uniforms), like trained weights. */
export function randomWeights(count, seed, scale = 0.05) {
  const random = seededRandom(seed)
  const values = new Float32Array(count)
  for (let i = 0; i < count; i++) values[i] = (random() + random() + random() - 1.5) * scale
  return values
}

/** Runs `body` with a fresh temporary folder and removes it afterwards. */
export async function withTempDir(body) {
  const dir = await mkdtemp(join(tmpdir(), 'qchain-smoke-'))
  try {
    return await body(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Seeded data generators shared by the tests and the benchmark. */
import { seededRandom } from '@qchain/fixtures'

export { seededRandom }

/** Rounded Laplacian(0, scale) clamped to [-limit, limit] and shifted by `offset`, like quantized weights. */
export function laplacianSymbols(count: number, scale: number, limit: number, offset: number, seed: number): Uint8Array {
  const random = seededRandom(seed)
  const out = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const u = random() - 0.5
    const value = Math.round(-scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u)))
    out[i] = Math.max(-limit, Math.min(limit, value)) + offset
  }
  return out
}

/** Geometric symbols: P(k) proportional to (1-p)^k, capped at `max`. */
export function geometricSymbols(count: number, p: number, max: number, seed: number): Uint8Array {
  const random = seededRandom(seed)
  const out = new Uint8Array(count)
  for (let i = 0; i < count; i++) out[i] = Math.min(max, Math.floor(Math.log(1 - random()) / Math.log(1 - p)))
  return out
}

export function uniformSymbols(count: number, alphabetSize: number, seed: number): Uint8Array {
  const random = seededRandom(seed)
  const out = new Uint8Array(count)
  for (let i = 0; i < count; i++) out[i] = Math.floor(random() * alphabetSize)
  return out
}

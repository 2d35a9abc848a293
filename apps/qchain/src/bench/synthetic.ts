import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeHeader } from '@qchain/safetensors'
import { writeSafetensorsFile } from '@qchain/safetensors/node'
import { f32ToF16 } from '@qchain/tensor'

/** A linear layer of the synthetic model: its weight name and [rows (out), cols (in)]. */
export interface SyntheticLayer {
  name: string
  rows: number
  cols: number
}

/** mulberry32: seeded uniforms in (0, 1), so every run measures the same weights. */
function uniforms(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296
  }
}

/**
 * Student-t weights with 4 degrees of freedom (heavy tails, as trained weights have), scaled to
 * std 0.02: t = z / sqrt(chi2_4 / 4), chi2_4 = -2 ln(u1 u2), z by Box-Muller.
 */
export function studentTWeights(count: number, seed: number): Float32Array {
  const uniform = uniforms(seed)
  const scale = 0.02 / Math.SQRT2 // a t(4) variable has variance 4 / (4 - 2) = 2
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())
    const chi = -2 * Math.log(uniform() * uniform())
    out[i] = (scale * z) / Math.sqrt(chi / 4)
  }
  return out
}

/** Writes (once: kept between runs) a 16-bit model folder holding the layers' fp16 weights. */
export async function syntheticModel(dir: string, layers: readonly SyntheticLayer[], seed: number): Promise<string> {
  if (existsSync(join(dir, 'model.safetensors'))) return dir
  const staging = `${dir}.tmp`
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { recursive: true })
  const header = encodeHeader(layers.map(({ name, rows, cols }) => ({ name, dtype: 'F16' as const, shape: [rows, cols] })))
  const seeds = new Map(layers.map((layer, index) => [layer.name, seed + index]))
  await writeSafetensorsFile(join(staging, 'model.safetensors'), header, (info) => {
    const bits = f32ToF16(studentTWeights(info.shape.reduce((a, b) => a * b, 1), seeds.get(info.name) as number))
    return new Uint8Array(bits.buffer)
  })
  await rm(dir, { recursive: true, force: true })
  await rename(staging, dir)
  return dir
}

import type { TensorSpec } from '@qchain/safetensors'
import { Rng } from '../../fuzz/rng.js'

/**
 * Versions of a small model, so any mix of two is told apart from either: `a` has other
 * tensors than `b`; `c` has the tensors (and shard names) of `b` with other bytes.
 */
export type Version = 'a' | 'b' | 'c'

export function specsOf(version: Version): TensorSpec[] {
  const count = version === 'a' ? 5 : 7
  return Array.from({ length: count }, (_, i) => ({ name: `layers.${i}.weight`, dtype: 'F16', shape: [version === 'a' ? 48 : 64, 256] }))
}

/** Deterministic bytes of one tensor of a version. */
export function bytesOf(version: Version, spec: TensorSpec): Uint8Array {
  const rng = new Rng({ a: 1000, b: 2000, c: 3000 }[version] + Number(spec.name.split('.')[1]))
  const bytes = new Uint8Array(spec.shape.reduce((a, b) => a * b, 2))
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.next() & 0xff
  return bytes
}

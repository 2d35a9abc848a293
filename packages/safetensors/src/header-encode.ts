import { dtypeSize, isDtype, type Dtype } from './dtypes.js'
import { SafetensorsError } from './errors.js'
import { byteLength, LENGTH_PREFIX_BYTES, parseHeader, type SafetensorsHeader } from './header.js'

export interface TensorSpec {
  name: string
  dtype: Dtype
  shape: readonly number[]
}

/**
 * Lays out new tensors the way the reference writer does: sorted by element size (largest
 * first), then by name, so every tensor starts at a multiple of its element size; the JSON
 * is compact and padded with spaces so the data section starts 8-byte aligned.
 */
export function encodeHeader(specs: readonly TensorSpec[], metadata?: Record<string, string>): SafetensorsHeader {
  const names = new Set<string>()
  for (const spec of specs) checkSpec(spec, names)
  const ordered = [...specs].sort((a, b) => dtypeSize(b.dtype) - dtypeSize(a.dtype) || compareNames(a.name, b.name))
  const entries: Record<string, unknown> = {}
  if (metadata) entries.__metadata__ = metadata
  let offset = 0
  for (const spec of ordered) {
    const size = byteLength(spec.shape, spec.dtype) as number
    entries[spec.name] = { dtype: spec.dtype, shape: [...spec.shape], data_offsets: [offset, offset + size] }
    offset += size
  }
  const json = new TextEncoder().encode(JSON.stringify(entries))
  const padded = Math.ceil(json.length / 8) * 8
  const bytes = new Uint8Array(LENGTH_PREFIX_BYTES + padded).fill(0x20)
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true)
  bytes.set(json, LENGTH_PREFIX_BYTES)
  // Parsing what we wrote re-checks it and gives the same structure readers get.
  return parseHeader(bytes, bytes.length + offset, '<new header>')
}

function checkSpec(spec: TensorSpec, names: Set<string>): void {
  const context = { tensor: spec.name }
  if (spec.name === '__metadata__' || names.has(spec.name)) {
    throw new SafetensorsError('invalid-tensor', 'tensor name is reserved or used twice', context)
  }
  names.add(spec.name)
  if (!isDtype(spec.dtype)) throw new SafetensorsError('unknown-dtype', `unknown dtype ${JSON.stringify(spec.dtype)}`, context)
  if (!spec.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0) || byteLength(spec.shape, spec.dtype) === undefined) {
    throw new SafetensorsError('invalid-tensor', `shape [${spec.shape.join(', ')}] is not a valid shape`, context)
  }
}

/** Code-unit order, so the layout does not depend on the runtime's locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

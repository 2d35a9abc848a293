import type { Rng } from './rng.js'

/** One byte-level mutation: returns new bytes (never changes its input) and what it did. */
type Mutator = (bytes: Uint8Array, rng: Rng) => { bytes: Uint8Array; did: string }

/** Length-like values that make decoders trust a size they should not. */
const HUGE_FIELDS: readonly { name: string; bytes: readonly number[] }[] = [
  { name: 'varint 2^32-1', bytes: [0xff, 0xff, 0xff, 0xff, 0x0f] },
  { name: 'varint 2^31-1', bytes: [0xff, 0xff, 0xff, 0xff, 0x07] },
  { name: 'varint 2^24+1', bytes: [0x81, 0x80, 0x80, 0x08] },
  { name: 'varint 2^20', bytes: [0x80, 0x80, 0x40] },
  { name: 'varint 2^26', bytes: [0x80, 0x80, 0x80, 0x20] },
  { name: 'varint overlong', bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0x7f] },
  { name: 'u32 0xFFFFFFFF', bytes: [0xff, 0xff, 0xff, 0xff] },
  { name: 'u32 2^31', bytes: [0x00, 0x00, 0x00, 0x80] },
  { name: 'u64 2^53-1', bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00] },
  { name: 'u64 2^53+1', bytes: [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00] },
  { name: 'u64 2^64-1', bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
]

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x0f, 0x10, 0x7f, 0x80, 0xfe, 0xff]

/** Headers and footers hold the lengths and counts, so a third of positions land near an end. */
function position(bytes: Uint8Array, rng: Rng, span = 1): number {
  const last = Math.max(0, bytes.length - span)
  const roll = rng.float()
  if (roll < 0.25) return Math.min(last, rng.int(64))
  if (roll < 0.35) return Math.max(0, last - rng.int(64))
  return rng.int(last + 1)
}

const bitFlips: Mutator = (input, rng) => {
  const bytes = input.slice()
  const flips = rng.range(1, 8)
  for (let i = 0; i < flips; i++) {
    const at = position(bytes, rng)
    bytes[at] = (bytes[at] as number) ^ (1 << rng.int(8))
  }
  return { bytes, did: `flip ${flips} bits` }
}

const byteChanges: Mutator = (input, rng) => {
  const bytes = input.slice()
  const changes = rng.range(1, 4)
  for (let i = 0; i < changes; i++) bytes[position(bytes, rng)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256)
  return { bytes, did: `change ${changes} bytes` }
}

const truncation: Mutator = (input, rng) => {
  const keep = rng.chance(0.5) ? rng.int(input.length) : Math.max(0, input.length - rng.range(1, 16))
  return { bytes: input.slice(0, keep), did: `truncate to ${keep}` }
}

const extension: Mutator = (input, rng) => {
  const tail = rng.chance(0.5) ? new Uint8Array(rng.range(1, 64)) : rng.bytes(rng.range(1, 64))
  const bytes = new Uint8Array(input.length + tail.length)
  bytes.set(input)
  bytes.set(tail, input.length)
  return { bytes, did: `extend by ${tail.length}` }
}

const chunkSwap: Mutator = (input, rng) => {
  const bytes = input.slice()
  const length = rng.range(1, Math.max(1, Math.min(64, bytes.length >> 1)))
  const a = position(bytes, rng, length)
  const b = position(bytes, rng, length)
  const first = bytes.slice(a, a + length)
  bytes.copyWithin(a, b, b + length)
  bytes.set(first.subarray(0, Math.max(0, Math.min(length, bytes.length - b))), b)
  return { bytes, did: `swap ${length} bytes at ${a} and ${b}` }
}

/** Bytes of the LEB128 varint starting at `at` (up to 5, or to the end). */
function varintLength(bytes: Uint8Array, at: number): number {
  let end = at
  while (end < bytes.length && end - at < 5 && (bytes[end] as number) & 0x80) end++
  return Math.min(bytes.length, end + 1) - at
}

const hugeField: Mutator = (input, rng) => {
  const field = rng.pick(HUGE_FIELDS)
  const at = position(input, rng, field.bytes.length)
  const mode = rng.int(3)
  if (mode === 0) {
    // Swap a whole varint for the huge value, so a shape or count field changes and nothing else moves.
    const old = varintLength(input, at)
    const bytes = new Uint8Array(input.length - old + field.bytes.length)
    bytes.set(input.subarray(0, at))
    bytes.set(field.bytes, at)
    bytes.set(input.subarray(at + old), at + field.bytes.length)
    return { bytes, did: `replace the varint at ${at} by ${field.name}` }
  }
  if (mode === 1) {
    const bytes = input.slice()
    bytes.set(field.bytes.slice(0, Math.max(0, bytes.length - at)), at)
    return { bytes, did: `write ${field.name} at ${at}` }
  }
  const bytes = new Uint8Array(input.length + field.bytes.length)
  bytes.set(input.subarray(0, at))
  bytes.set(field.bytes, at)
  bytes.set(input.subarray(at), at + field.bytes.length)
  return { bytes, did: `insert ${field.name} at ${at}` }
}

const zeroRegion: Mutator = (input, rng) => {
  const bytes = input.slice()
  const length = rng.range(1, rng.chance(0.8) ? 16 : 256)
  const at = position(bytes, rng, length)
  bytes.fill(0, at, at + length)
  return { bytes, did: `zero ${length} bytes at ${at}` }
}

const MUTATORS: readonly Mutator[] = [bitFlips, byteChanges, truncation, extension, chunkSwap, hugeField, zeroRegion]

/** One to three stacked mutations of `input`; the description says what each did. */
export function mutateBytes(input: Uint8Array, rng: Rng): { bytes: Uint8Array; did: string } {
  let bytes = input
  const did: string[] = []
  const rounds = rng.chance(0.7) ? 1 : rng.range(2, 3)
  for (let i = 0; i < rounds; i++) {
    const result = bytes.length === 0 ? extension(bytes, rng) : rng.pick(MUTATORS)(bytes, rng)
    bytes = result.bytes
    did.push(result.did)
  }
  return { bytes, did: did.join('; ') }
}

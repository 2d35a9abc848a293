import type { ByteWriter } from '@qchain/huffman'
import { decodeAdaptiveInKernel } from './adaptive-kernel.js'
import { AdaptiveModel, LAYOUTS, NODE_START, planNodes, RATE_STEPS, RATES } from './adaptive-model.js'
import { RangeDecoder, RangeEncoder } from './adaptive-range-coder.js'
import { ConditionalError } from './errors.js'
import { nativeKernels } from './native-kernels.js'
import type { Reader } from './reader.js'

/**
 * Codes symbols[i] (0..255) under context contexts[i] ((k << 6) | context id) in element order:
 * varint byte length, then the coded bytes. @qchain/native's encoder runs where it is installed,
 * with the same bytes.
 */
export function writeAdaptiveSymbols(symbols: Uint8Array, contexts: Uint16Array, out: ByteWriter): void {
  const bytes = encodeNatively(symbols, contexts) ?? encodeInTypeScript(symbols, contexts)
  out.varint(bytes.length)
  out.append(bytes)
}

/** The reference encoder. */
function encodeInTypeScript(symbols: Uint8Array, contexts: Uint16Array): Uint8Array {
  const model = new AdaptiveModel(contexts)
  const coder = new RangeEncoder()
  for (let i = 0; i < contexts.length; i++) model.encode(coder, symbols[i] as number, contexts[i] as number)
  return coder.finish()
}

/** The model's constants as the native encoder takes them after the plan's first node of the shared ones and node count. */
const NATIVE_MODEL = Int32Array.of(NODE_START, RATE_STEPS, ...LAYOUTS.map((layout) => layout.treeEnd), ...LAYOUTS.flatMap((layout) => [...layout.trees]), ...RATES)

function encodeNatively(symbols: Uint8Array, contexts: Uint16Array): Uint8Array | null {
  const native = nativeKernels()
  if (!native) return null
  const plan = planNodes(contexts)
  const bytes: unknown = native.adaptiveEncode(symbols, contexts, plan.base, plan.layout, Int32Array.of(plan.shared, plan.count, ...NATIVE_MODEL))
  // a Node-API failure without an exception returns nothing: never take that for an empty stream
  if (!(bytes instanceof ArrayBuffer)) throw new Error('unreachable: the native adaptive encoder returned no bytes')
  return new Uint8Array(bytes)
}

/** Reads what writeAdaptiveSymbols wrote for these contexts into `symbols` (same length as contexts). */
export function readAdaptiveSymbols(reader: Reader, contexts: Uint16Array, symbols: Uint8Array): void {
  const field = 'adaptive symbols'
  if (symbols.length !== contexts.length) throw new RangeError(`${symbols.length} symbols for ${contexts.length} contexts`)
  const length = reader.boundedVarint(field, reader.remaining, 'truncated')
  const start = reader.pos
  reader.take(length, field)
  const end = start + length
  const endedCleanly = decodeAdaptiveInKernel(reader.bytes, start, end, contexts, symbols) ?? decodeInTypeScript(reader.bytes, start, end, contexts, symbols)
  if (!endedCleanly) throw new ConditionalError('bad-payload', 'the range coder does not end where the stream says', { field })
}

/** The reference decode, and the fallback where the WebAssembly kernel is unavailable; whether the coder ended cleanly. */
function decodeInTypeScript(bytes: Uint8Array, start: number, end: number, contexts: Uint16Array, symbols: Uint8Array): boolean {
  const model = new AdaptiveModel(contexts)
  const coder = new RangeDecoder(bytes, start, end)
  for (let i = 0; i < contexts.length; i++) symbols[i] = model.decode(coder, contexts[i] as number)
  return coder.endedCleanly
}

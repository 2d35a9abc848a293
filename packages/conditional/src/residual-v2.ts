import { ByteWriter } from '@qchain/huffman'
import { writeAdaptiveSymbols } from './adaptive-symbols.js'
import { ConditionalError } from './errors.js'
import { writeEscapeList, writeLowBits } from './raw-lists.js'
import { readStaticBody, writeStaticBody } from './fused-static.js'
import type { RowPredictor } from './half-predictor.js'
import type { Reader } from './reader.js'
import { readAdaptiveResiduals } from './residual-decode.js'
import type { ResidualSymbols } from './encode-space.js'
import type { RowBand } from './types.js'
import { firstPass, type ResidualParts, type RowValues } from './residual-encode.js'

/** How a version 2 residual body codes its symbols: the first byte of the body. */
export const Coder = { Static: 1, Adaptive: 2 } as const

/**
 * 'auto' tries the adaptive coder on tensors of up to this many elements (above it, code tables
 * cost little) and keeps it when it saves at least ADAPTIVE_MIN_SAVING of the static body: it
 * decodes about 15x slower per weight (20 against 300+ million per second), so a small saving
 * is not worth it (the figures behind both limits are in docs/conditional.md).
 */
export const ADAPTIVE_MAX_ELEMENTS = 1 << 16
export const ADAPTIVE_MIN_SAVING = 1 / 64

export type CoderChoice = 'auto' | 'static' | 'adaptive'

interface Body {
  coder: number
  bytes: Uint8Array
  parts: ResidualParts
}

/**
 * Version 2 body: the coder byte, then the static body (fused Huffman slabs, fast decode) or
 * the adaptive body (symbols from the adaptive coder, then escapes and low bits as in version
 * 1). 'auto' also tries the adaptive body on small tensors (see ADAPTIVE_MIN_SAVING).
 */
export function writeResidualsV2(rows: number, cols: number, predict: RowPredictor, values: RowValues, raw: Uint16Array | Uint8Array, out: ByteWriter, childBits: number, choice: CoderChoice): ResidualParts {
  const first = firstPass(rows, cols, predict, values, raw)
  if (choice === 'static' || (choice === 'auto' && rows * cols > ADAPTIVE_MAX_ELEMENTS)) {
    // Nothing to compare: the body goes straight into `out`, not through a buffer of its own.
    out.byte(Coder.Static)
    const parts = writeStaticBody(rows, cols, first, out, childBits)
    return { ...parts, framing: parts.framing + 1 }
  }
  let best = choice === 'adaptive' ? adaptiveBody(first) : staticBody(rows, cols, first, childBits)
  if (choice === 'auto') {
    const adaptive = adaptiveBody(first)
    if (adaptive.bytes.length <= best.bytes.length * (1 - ADAPTIVE_MIN_SAVING)) best = adaptive
  }
  out.byte(best.coder)
  out.append(best.bytes)
  return { ...best.parts, framing: best.parts.framing + 1 }
}

function staticBody(rows: number, cols: number, first: ResidualSymbols, childBits: number): Body {
  const out = new ByteWriter(rows * cols + 64)
  const parts = writeStaticBody(rows, cols, first, out, childBits)
  return { coder: Coder.Static, bytes: out.result(), parts }
}

function adaptiveBody(first: ResidualSymbols): Body {
  const out = new ByteWriter(first.symbols.length + 64)
  writeAdaptiveSymbols(first.symbols, first.contexts, out)
  const payload = out.length
  const escapes = writeEscapeList(first.escaped, out)
  const lowBits = writeLowBits(first.low, out)
  return { coder: Coder.Adaptive, bytes: out.result(), parts: { framing: 0, tables: 0, payload, escapes, lowBits } }
}

/** Reads a version 2 body by its coder byte; only a static body's slabs can be read by `band`. */
export function readResidualsV2(reader: Reader, rows: number, cols: number, valueMask: number, predict: RowPredictor, out: Uint16Array | Uint8Array, ordered: boolean, band?: RowBand): void {
  const coder = reader.byte('coder')
  if (coder === Coder.Static) readStaticBody(reader, rows, cols, valueMask, predict, out, ordered, band)
  else if (coder === Coder.Adaptive && band) throw new ConditionalError('unsupported-rows', 'an adaptive body is one range-coded run: its rows cannot be decoded apart', { field: 'rows' })
  else if (coder === Coder.Adaptive) readAdaptiveResiduals(reader, rows, cols, valueMask, predict, out, ordered)
  else throw new ConditionalError('bad-payload', `unknown residual coder ${coder}`, { field: 'coder' })
}

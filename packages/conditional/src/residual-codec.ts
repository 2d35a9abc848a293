import { ByteWriter } from '@qchain/huffman'
import { checkPair, childRowValues } from './child-rows.js'
import { codePredictor } from './code-predictor.js'
import { ConditionalError } from './errors.js'
import { halfPredictor, type RowPredictor } from './half-predictor.js'
import { CodecId, isFormatVersion, LATEST_VERSION, writeHeader, type FormatVersion } from './header.js'
import { readQuantGrid, writeQuantGrid } from './quant-grid.js'
import { outputArray, type OutputArray } from './output.js'
import type { Reader } from './reader.js'
import { readResiduals } from './residual-decode.js'
import { writeResiduals, type ResidualParts } from './residual-encode.js'
import { readResidualsV2, writeResidualsV2, type CoderChoice } from './residual-v2.js'
import { isHalfMatrix, isInt8Level, type Child, type Parent, type RowBand } from './types.js'

/** Where a residual stream's bytes go; the parts sum to the stream length. */
export interface ResidualReport extends ResidualParts {
  /** Stream header and, for a code child, its grid (scales, zeros, g_idx). */
  header: number
  sideInfo: number
}

/**
 * How to write a residual stream. `version` 1 writes streams that qchain releases before format
 * version 2 read (one Huffman block per table, low bits apart). `coder` (version 2): 'static'
 * (fused Huffman slabs, the fastest decode), 'adaptive' (no tables; smaller, far slower to
 * decode), or 'auto' (the default: adaptive for tensors of up to ADAPTIVE_MAX_ELEMENTS when at
 * least ADAPTIVE_MIN_SAVING smaller, else static). Version 1 has one coder: no `coder` with it.
 */
export interface ResidualOptions {
  version?: FormatVersion
  coder?: CoderChoice
}

/** The residual codec with a byte count per section (for analyzers). */
export function encodeResidualReport(child: Child, parent: Parent, options: ResidualOptions = {}): { bytes: Uint8Array; report: ResidualReport } {
  const { version, coder } = checkedOptions(options)
  checkPair(child, parent)
  const out = new ByteWriter(child.rows * child.cols + 64)
  writeHeader(CodecId.Residual, version, child, parent, out)
  const header = out.length
  let predictor
  if (isHalfMatrix(child)) {
    predictor = halfPredictor(child.format, parent)
  } else {
    if (isInt8Level(parent)) throw new ConditionalError('unsupported-pair', 'a GPTQ child needs a GPTQ parent')
    writeQuantGrid(child, parent, out)
    predictor = codePredictor(child, parent)
  }
  const sideInfo = out.length - header
  const raw = isHalfMatrix(child) ? child.bits : child.codes
  const values = childRowValues(child)
  const parts = version === 1 ? writeResiduals(child.rows, child.cols, predictor, values, raw, out) : writeResidualsV2(child.rows, child.cols, predictor, values, raw, out, isHalfMatrix(child) ? 16 : child.bits, coder)
  return { bytes: out.result(), report: { header, sideInfo, ...parts } }
}

/** The options with their defaults, or a usage error naming the one that is not defined. */
function checkedOptions(options: ResidualOptions): { version: FormatVersion; coder: CoderChoice } {
  const { version = LATEST_VERSION, coder } = options
  if (!isFormatVersion(version)) throw new ConditionalError('unsupported-pair', `unknown format version ${String(version)}`, { field: 'version' })
  if (coder !== undefined && version === 1) throw new ConditionalError('unsupported-pair', 'format version 1 has no coder choice', { field: 'coder' })
  if (coder !== undefined && coder !== 'auto' && coder !== 'static' && coder !== 'adaptive') throw new ConditionalError('unsupported-pair', `unknown residual coder ${String(coder)}`, { field: 'coder' })
  return { version, coder: coder ?? 'auto' }
}

/**
 * Body after the header (see docs/conditional.md): the code child's grid, then the residuals.
 * With `band` (version 2 only), the parent's codes and the child's hold its rows alone.
 */
export function decodeResidualBody(reader: Reader, parent: Parent, child: 'f16' | 'bf16' | 'codes', childBits: number, version: FormatVersion, into?: OutputArray, band?: RowBand): Child {
  const { rows, cols } = parent
  if (band && version === 1) throw new ConditionalError('unsupported-rows', 'a version 1 body codes each table in one run: its rows cannot be decoded apart', { field: 'rows' })
  const readBody = (valueMask: number, predict: RowPredictor, out: OutputArray, ordered: boolean) =>
    version === 1 ? readResiduals(reader, rows, cols, valueMask, predict, out, ordered) : readResidualsV2(reader, rows, cols, valueMask, predict, out, ordered, band)
  const { first, end } = band ?? { first: 0, end: rows }
  if (child !== 'codes') {
    const bits = outputArray(into, Uint16Array, (end - first) * cols)
    readBody(0xffff, halfPredictor(child, parent, first), bits, true)
    return { rows, cols, format: child, bits }
  }
  if (isInt8Level(parent)) throw new ConditionalError('bad-header', 'a code child needs a GPTQ parent')
  const grid = readQuantGrid(reader, childBits, parent)
  const codes = outputArray(into, Uint8Array, (end - first) * cols)
  readBody((1 << childBits) - 1, codePredictor(grid, parent, first), codes, false)
  return { rows, cols, ...grid, codes }
}

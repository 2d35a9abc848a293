import { ByteWriter } from '@qchain/huffman'
import { checkPair, childRowValues } from './child-rows.js'
import { codePredictor } from './code-predictor.js'
import { ConditionalError } from './errors.js'
import { halfPredictor } from './half-predictor.js'
import { CodecId, readHeader, writeHeader } from './header.js'
import { readQuantGrid, writeQuantGrid } from './quant-grid.js'
import { outputArray, type OutputArray } from './output.js'
import type { Reader } from './reader.js'
import { readResiduals } from './residual-decode.js'
import { writeResiduals, type ResidualParts } from './residual-encode.js'
import { isHalfMatrix, isInt8Level, type Child, type Parent } from './types.js'

/** Where a residual stream's bytes go; the parts sum to the stream length. */
export interface ResidualReport extends ResidualParts {
  /** Stream header and, for a code child, its grid (scales, zeros, g_idx). */
  header: number
  sideInfo: number
}

/** The residual codec with a byte count per section (for analyzers). */
export function encodeResidualReport(child: Child, parent: Parent): { bytes: Uint8Array; report: ResidualReport } {
  checkPair(child, parent)
  const out = new ByteWriter(child.rows * child.cols + 64)
  writeHeader(CodecId.Residual, child, parent, out)
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
  const parts = writeResiduals(child.rows, child.cols, predictor, childRowValues(child), isHalfMatrix(child) ? child.bits : child.codes, out)
  return { bytes: out.result(), report: { header, sideInfo, ...parts } }
}

/** Body after the header (see docs/conditional.md): the code child's grid, then the residuals. */
export function decodeResidualBody(reader: Reader, parent: Parent, child: 'f16' | 'bf16' | 'codes', childBits: number, into?: OutputArray): Child {
  const { rows, cols } = parent
  if (child !== 'codes') {
    const bits = outputArray(into, Uint16Array, rows * cols)
    readResiduals(reader, rows, cols, 0xffff, halfPredictor(child, parent), bits, true)
    return { rows, cols, format: child, bits }
  }
  if (isInt8Level(parent)) throw new ConditionalError('bad-header', 'a code child needs a GPTQ parent')
  const grid = readQuantGrid(reader, childBits, parent)
  const codes = outputArray(into, Uint8Array, rows * cols)
  readResiduals(reader, rows, cols, (1 << childBits) - 1, codePredictor(grid, parent), codes, false)
  return { rows, cols, ...grid, codes }
}

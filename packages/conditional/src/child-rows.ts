import { ConditionalError } from './errors.js'
import { toOrdered } from './half.js'
import type { RowValues } from './residual-encode.js'
import { checkLevel } from './parent.js'
import { isHalfMatrix, isInt8Level, type Child, type Parent } from './types.js'

/** Encoder-side checks: both levels are self-consistent, describe the same matrix and form a supported pair. */
export function checkPair(child: Child, parent: Parent): void {
  checkLevel(parent, 'bad-parent')
  checkLevel(child, 'bad-child')
  if (child.rows !== parent.rows || child.cols !== parent.cols) {
    throw new ConditionalError('wrong-parent', `child is [${child.rows}, ${child.cols}], parent is [${parent.rows}, ${parent.cols}]`, { field: 'shape' })
  }
  if (!isHalfMatrix(child) && isInt8Level(parent)) throw new ConditionalError('unsupported-pair', 'a GPTQ child needs a GPTQ parent', { field: 'parent' })
}

/** The child's values as the residual codec's integers: ordered 16-bit patterns, or codes. */
export function childRowValues(child: Child): RowValues {
  const { cols } = child
  if (isHalfMatrix(child)) return (row, out) => {
    for (let j = 0, i = row * cols; j < cols; j++, i++) out[j] = toOrdered(child.bits[i] as number)
  }
  return (row, out) => {
    for (let j = 0, i = row * cols; j < cols; j++, i++) out[j] = child.codes[i] as number
  }
}

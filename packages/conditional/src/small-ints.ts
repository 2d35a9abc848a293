import type { ByteWriter } from '@qchain/huffman'
import { ConditionalError } from './errors.js'
import type { Reader } from './reader.js'
import { readBlocks, writeBlocks } from './symbol-blocks.js'
import { ESCAPE } from './table-plan.js'

/**
 * Mostly small signed integers (side-info residuals): zigzag symbols below ESCAPE in Huffman
 * blocks; larger ones are ESCAPE plus a varint of the zigzag value in a trailing list.
 */
export function writeSmallInts(values: Int32Array, out: ByteWriter): void {
  const symbols = new Uint8Array(values.length)
  const escaped: number[] = []
  values.forEach((value, i) => {
    const zigzag = value >= 0 ? 2 * value : -2 * value - 1
    symbols[i] = zigzag < ESCAPE ? zigzag : ESCAPE
    if (zigzag >= ESCAPE) escaped.push(zigzag)
  })
  writeBlocks(symbols, 0, symbols.length, out)
  for (const zigzag of escaped) out.varint(zigzag)
}

export function readSmallInts(reader: Reader, count: number, field: string): Int32Array {
  const symbols = new Uint8Array(count)
  readBlocks(reader, symbols, 0, count, field)
  const values = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    let zigzag = symbols[i] as number
    if (zigzag === ESCAPE) {
      zigzag = reader.varint(field)
      if (zigzag < ESCAPE || zigzag > 0x7fffffff) throw new ConditionalError('bad-payload', `escaped value ${zigzag} is out of range`, { field })
    }
    values[i] = zigzag & 1 ? -(zigzag + 1) / 2 : zigzag / 2
  }
  return values
}

import { ByteWriter } from '@qchain/huffman'
import { ConditionalError } from './errors.js'
import type { Reader } from './reader.js'
import { readBlocks, writeBlocks } from './symbol-blocks.js'

/**
 * Huffman spends at least one bit per symbol, far above the entropy of a context whose residual
 * is nearly always 0 or +-1 (bf16 children of 8-bit parents). Such a table codes pairs instead:
 * symbol = (first digit << 4) | second digit, a digit being the symbol itself when below
 * BIG and BIG otherwise, the symbol then following as a raw byte after the blocks.
 */
const BIG = 15

export const Packing = { Single: 0, Pairs: 1 } as const

/**
 * Appends the packing byte and symbols[from..to) as single symbols, or as pairs when that is
 * smaller (tables included), by trial; returns the table bytes written. Pairs only pay where
 * most symbols are tiny, so they are tried only when at least half are 0, 1 or 2
 * (|residual| <= 1): `small` is how many are.
 */
export function writeSymbols(symbols: Uint8Array, from: number, to: number, small: number, out: ByteWriter): number {
  if (to - from < 2 || 2 * small < to - from) {
    out.byte(Packing.Single)
    return writeBlocks(symbols, from, to, out).tableBytes
  }
  const single = new ByteWriter(to - from + 64)
  const singleTables = writeBlocks(symbols, from, to, single).tableBytes
  const paired = new ByteWriter(to - from + 64)
  const pairedTables = writePairs(symbols, from, to, paired).tableBytes
  const pairsWin = paired.length < single.length
  out.byte(pairsWin ? Packing.Pairs : Packing.Single)
  out.append((pairsWin ? paired : single).result())
  return pairsWin ? pairedTables : singleTables
}

function packPairs(symbols: Uint8Array, from: number, to: number): { pairs: Uint8Array; big: number[] } {
  const pairs = new Uint8Array(Math.ceil((to - from) / 2))
  const big: number[] = []
  const digit = (symbol: number): number => {
    if (symbol < BIG) return symbol
    big.push(symbol)
    return BIG
  }
  for (let i = from, p = 0; i < to; i += 2, p++) pairs[p] = (digit(symbols[i] as number) << 4) | (i + 1 < to ? digit(symbols[i + 1] as number) : 0)
  return { pairs, big }
}

/** Writes symbols[from..to) as pair blocks followed by the raw big symbols. */
function writePairs(symbols: Uint8Array, from: number, to: number, out: ByteWriter): { tableBytes: number } {
  const { pairs, big } = packPairs(symbols, from, to)
  const written = writeBlocks(pairs, 0, pairs.length, out)
  out.append(Uint8Array.from(big))
  return written
}

/** How many of a pair byte's two digits are BIG. */
const BIG_DIGITS = new Uint8Array(256)
for (let pair = 0; pair < 256; pair++) BIG_DIGITS[pair] = Number(pair >> 4 === BIG) + Number((pair & 0x0f) === BIG)

/** Reads `count` symbols written by writePairs into target[start..]. */
export function readPairs(reader: Reader, target: Uint8Array, start: number, count: number, field: string): void {
  const pairs = new Uint8Array(Math.ceil(count / 2))
  readBlocks(reader, pairs, 0, pairs.length, field)
  if (count % 2 === 1 && ((pairs[pairs.length - 1] as number) & 0x0f) !== 0) throw new ConditionalError('bad-payload', 'the padding digit of the last pair is not 0', { field })
  // The padding digit is 0, so counting whole pairs counts the symbols' BIG digits.
  let bigCount = 0
  for (let p = 0; p < pairs.length; p++) bigCount += BIG_DIGITS[pairs[p] as number] as number
  const big = reader.take(bigCount, field)
  let b = 0
  const symbolOf = (digit: number): number => {
    if (digit !== BIG) return digit
    const symbol = big[b++] as number
    if (symbol < BIG) throw new ConditionalError('bad-payload', `big symbol ${symbol} should have been a digit`, { field })
    return symbol
  }
  const whole = count >> 1
  for (let p = 0, i = start; p < whole; p++, i += 2) {
    const pair = pairs[p] as number
    if (BIG_DIGITS[pair] === 0) {
      target[i] = pair >> 4
      target[i + 1] = pair & 0x0f
    } else {
      target[i] = symbolOf(pair >> 4)
      target[i + 1] = symbolOf(pair & 0x0f)
    }
  }
  if (count & 1) target[start + count - 1] = symbolOf((pairs[whole] as number) >> 4)
}

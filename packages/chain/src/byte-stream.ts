import { decodeSymbolRange, HuffmanError } from '@qchain/huffman'
import { ChainError } from './errors.js'

/**
 * Bytes from..to-1 of a Huffman stream of bytes that the index says holds `count` of them (into
 * `out` when given). The decoder refuses any other count before it allocates; that refusal is
 * damage to the container, so it is reported as the chain's own 'corrupt' error, naming the
 * level and tensor.
 */
export function decodeByteRange(stream: Uint8Array, count: number, from: number, to: number, where: { level: string; tensor: string }, out?: Uint8Array): Uint8Array {
  try {
    return decodeSymbolRange(stream, from, to, { expectedCount: count, expectedWidth: 1, ...(out && { out }) }) as Uint8Array
  } catch (error) {
    if (error instanceof HuffmanError) throw new ChainError('corrupt', `Huffman stream refused: ${error.message}`, where)
    throw error
  }
}

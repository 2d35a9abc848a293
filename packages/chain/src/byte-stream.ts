import { decodeSymbols, HuffmanError } from '@qchain/huffman'
import { ChainError } from './errors.js'

/**
 * A Huffman stream of bytes that the index says holds `count` of them. The decoder refuses
 * any other count before it allocates; that refusal is damage to the container, so it is
 * reported as the chain's own 'corrupt' error, naming the level and tensor.
 */
export function decodeByteStream(stream: Uint8Array, count: number, where: { level: string; tensor: string }): Uint8Array {
  try {
    return decodeSymbols(stream, { expectedCount: count, expectedWidth: 1 }) as Uint8Array
  } catch (error) {
    if (error instanceof HuffmanError) throw new ChainError('corrupt', `Huffman stream refused: ${error.message}`, where)
    throw error
  }
}

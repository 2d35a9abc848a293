import { describe, expect, it } from 'vitest'
import { encodeAlone } from '@qchain/conditional'
import { encodeSymbols } from '@qchain/huffman'
import { ChainError, decodeMatrix, decodePlain, matrixPartBytes, type MatrixPart, type MatrixValue } from '../src/index.js'

const where = { level: '4', tensor: 'model.layers.0.mlp.down_proj' }

/** Array-buffer memory the work grew by, in bytes (measured before anything can collect it). */
function growth(work: () => void): number {
  const before = process.memoryUsage().arrayBuffers
  work()
  return process.memoryUsage().arrayBuffers - before
}

// Found by the fuzzer (test/fuzz): a container index damaged and sealed again with valid
// checksums reached these decoders, which trusted its rows, cols, byte lengths and parts.
describe('matrix and plain decoders refuse what a damaged index says', () => {
  const codes = encodeSymbols(new Uint8Array(4 * 32).fill(5))
  const scb = new Uint8Array(4 * 4)

  it.each([-1, 0, 0.5, Number.NaN, 2 ** 53])('int8-alone with cols %s is a ChainError', (cols) => {
    expect(() => decodeMatrix('int8-alone', [codes, scb], undefined, { rows: 4, cols }, where)).toThrow(ChainError)
  })

  it('int8-alone with a huge matrix in the index neither allocates it nor decodes', () => {
    expect(growth(() => expect(() => decodeMatrix('int8-alone', [codes, scb], undefined, { rows: 4, cols: 2 ** 28 }, where)).toThrow(ChainError))).toBeLessThan(64 * 2 ** 20)
  })

  it('plain-bytes with a huge byte length in the index is a ChainError, not a RangeError', () => {
    const stream = encodeSymbols(new Uint8Array(16).fill(1))
    expect(() => decodePlain('plain-bytes', [stream], 2 ** 40, 2 ** 40, where)).toThrow(ChainError)
    expect(growth(() => expect(() => decodePlain('plain-bytes', [stream], 2 ** 30, 2 ** 30, where)).toThrow(ChainError))).toBeLessThan(64 * 2 ** 20)
  })

  it('plain-bytes refuses a 16-bit stream', () => {
    expect(() => decodePlain('plain-bytes', [encodeSymbols(new Uint16Array(8))], 8, 8, where)).toThrow(ChainError)
  })

  it('an unknown part of a matrix is a ChainError', () => {
    const value = decodeMatrix('gptq-alone', [encodeAlone({ rows: 32, cols: 32, bits: 4, codes: new Uint8Array(1024), scales: new Uint16Array(32).fill(0x3c00), zeros: new Uint16Array(32).fill(8), gIdx: new Int32Array(32) })], undefined, { rows: 32, cols: 32 }, where)
    for (const part of ['scal', 'weight', 'SCB', '', 0, true]) expect(() => matrixPartBytes(value, part as MatrixPart, { bits: 4, format: 'gptq' }, where)).toThrow(ChainError)
    const half: MatrixValue = { kind: 'half', value: { rows: 1, cols: 2, format: 'f16', bits: new Uint16Array(2) } }
    expect(() => matrixPartBytes(half, 'qweight', undefined)).toThrow(ChainError)
    expect(matrixPartBytes(half, 'weight', undefined)).toHaveLength(4)
  })
})

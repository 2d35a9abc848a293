import { describe, expect, it } from 'vitest'
import { ropeInverseFrequencies } from '../src/index.js'

// headDim 8 and theta 10000 give the frequencies 1, 0.1, 0.01, 0.001 (wavelengths 2π/f:
// 6.28, 62.8, 628, 6283), so a 1024-position original context with factors 1 and 4 puts
// them below, below, between and above the thresholds 1024/4 = 256 and 1024/1 = 1024.
const LLAMA3 = { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 1024 } as const

describe('rotary inverse frequencies', () => {
  it('are theta^(-2i/headDim) without scaling', () => {
    expectClose(ropeInverseFrequencies(8, 10000, undefined), [1, 0.1, 0.01, 0.001])
  })

  it('are divided by the factor with linear scaling', () => {
    expectClose(ropeInverseFrequencies(8, 10000, { type: 'linear', factor: 4 }), [0.25, 0.025, 0.0025, 0.00025])
  })

  it('keep high, divide low and blend middle frequencies with llama3 scaling', () => {
    // middle: smooth = (1024 / (2π / 0.01) - 1) / (4 - 1) = 0.2099155, and
    // (1 - smooth) * 0.01 / 8 + smooth * 0.01 = 0.0030867610
    expectClose(ropeInverseFrequencies(8, 10000, LLAMA3), [1, 0.1, 0.003086761, 0.001 / 8])
  })

  it('leave frequencies alone whose wavelengths are below context / highFreqFactor (Llama 3.1 settings)', () => {
    // headDim 6, theta 1000: frequencies 1, 0.1, 0.01, wavelengths up to 628 < 8192 / 4
    const llama31 = { ...LLAMA3, originalMaxPositionEmbeddings: 8192 }
    expectClose(ropeInverseFrequencies(6, 1000, llama31), [1, 0.1, 0.01])
  })
})

function expectClose(actual: Float64Array, expected: number[]): void {
  expect(actual).toHaveLength(expected.length)
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 9))
}

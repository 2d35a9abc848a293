import { describe, expect, it } from 'vitest'
import { QchainError, isQchainError } from '../src/index.js'

class ExampleError extends QchainError {}

describe('QchainError', () => {
  it('names every context field in the message, in a fixed order', () => {
    const error = new ExampleError('EX', 'bad thing', { tensor: 't.weight', file: 'a.safetensors', field: 'shape' })
    expect(error.message).toBe('bad thing (file "a.safetensors", tensor "t.weight", field "shape")')
    expect(error.name).toBe('ExampleError')
    expect(error.code).toBe('EX')
    expect(error.category).toBe('input')
    expect(isQchainError(error)).toBe(true)
    expect(isQchainError(new Error('x'))).toBe(false)
  })

  it('keeps the detail alone when there is no context', () => {
    expect(new QchainError('EX', 'plain').message).toBe('plain')
  })
})

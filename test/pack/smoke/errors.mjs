// @qchain/errors: a subclass carries code, category and context, and the message names them.
import { isQchainError, QchainError } from '@qchain/errors'
import { check } from './check.mjs'

class ShapeError extends QchainError {}
const error = new ShapeError('MY_BAD_SHAPE', 'shape does not match', { file: 'model.safetensors', tensor: 'w' }, 'unsupported')

check(error instanceof Error && error instanceof QchainError, 'a subclass is an Error and a QchainError')
check(error.name === 'ShapeError', `name is the subclass: ${error.name}`)
check(error.code === 'MY_BAD_SHAPE' && error.category === 'unsupported', 'code and category are kept')
check(error.message === 'shape does not match (file "model.safetensors", tensor "w")', `message: ${error.message}`)
check(new QchainError('X', 'plain').category === 'input', 'the default category is input')
check(isQchainError(error) && !isQchainError(new Error('bug')), 'isQchainError tells them apart')
console.log('errors ok')

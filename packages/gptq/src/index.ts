export { roundHalfEven } from './round.js'
export { dequantizeInt8Rowwise, quantizeInt8Rowwise, type Int8RowwiseLevel } from './int8-rowwise.js'

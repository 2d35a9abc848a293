export { CalibrationError, type CalibrationProblem } from './errors.js'
export { loadTokenizer, type TextTokenizer } from './tokenizer.js'
export { parseTokenJson, type Split } from './token-file.js'
export { loadSequences, type CalibrationSource, type SequenceOptions } from './sequences.js'

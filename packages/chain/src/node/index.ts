export { writeChain, type ChainLevelInput, type WriteChainOptions } from './write-chain.js'
export { openLevelSource, type LevelSource } from './level-source.js'
export { extractLevel } from './extract.js'
export { verifyChain, type LevelCheck } from './verify.js'

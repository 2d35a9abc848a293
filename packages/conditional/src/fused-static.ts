/** Version 2's static coder (one fused bit stream per lane of a slab of rows: fused-write.ts, fused-read.ts) and the first pass it starts from. */
export { writeStaticBody } from './fused-write.js'
export { readStaticBody } from './fused-read.js'
export { firstPass } from './residual-encode.js'

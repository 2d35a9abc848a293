/** Version 2's static coder: one fused bit stream per slab of rows (see fused-write.ts and fused-read.ts). */
export { writeStaticBody, type StaticParts } from './fused-write.js'
export { readStaticBody } from './fused-read.js'
export { firstPass } from './residual-encode.js'

import type { Child, Parent } from './types.js'

/** A conditional codec: codes a child tensor given its parent level; decode needs the same parent. */
export interface ConditionalCodec {
  readonly name: 'residual' | 'qstore'
  encode(child: Child, parent: Parent): Uint8Array
  decode(bytes: Uint8Array, parent: Parent): Child
}

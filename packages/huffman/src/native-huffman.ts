/**
 * Native Huffman kernels (@qchain/native's, installed by the Node entry of a package that loads
 * it): the same symbols and bytes as the WebAssembly kernels, straight from and into the
 * caller's arrays; declared here so this package neither needs nor names it.
 */
export interface NativeHuffman {
  huffmanPrefix(src: Uint8Array, lengths: Uint8Array, symbols: Uint8Array | Uint16Array, out: Uint8Array | Uint16Array, outStart: number, quarter: number, positions: Int32Array): number
  huffmanHistogram(symbols: Uint8Array | Uint16Array, from: number, to: number, counts: Uint32Array): void
  huffmanStreams(symbols: Uint8Array | Uint16Array, from: number, to: number, codes: Uint32Array, out: Uint8Array, ends: Int32Array): number
}

let installed: NativeHuffman | null = null

/** Decodes and encodes blocks with `kernels` (null: the WebAssembly kernels again). Same symbols and bytes either way. */
export function useNativeHuffman(kernels: NativeHuffman | null): void {
  installed = kernels
}

/** The installed native kernels, or null. */
export function nativeHuffman(): NativeHuffman | null {
  return installed
}

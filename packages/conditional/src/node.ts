// The package's entry under Node: everything index.ts exports, with @qchain/native's kernels
// installed when it is there and built (an optional dependency; QCHAIN_NATIVE=0 turns it off):
// the residual codec's, and @qchain/huffman's prefix decoder (base levels, plain tensors).
import { useNativeHuffman } from '@qchain/huffman'
import { useNativeKernels } from './native-kernels.js'

export * from './index.js'

try {
  const native = (await import('@qchain/native')).loadNative()
  if (native.loaded) {
    useNativeKernels(native.kernels)
    useNativeHuffman(native.kernels)
  }
} catch {
  // not installed: the WebAssembly kernels decode, with the same bytes
}

// The package's entry under Node: everything index.ts exports, with @qchain/native's row
// kernel installed when it is there and built (an optional dependency; QCHAIN_NATIVE=0 turns it off).
import { useNativeKernels } from './native-kernels.js'

export * from './index.js'

try {
  const native = (await import('@qchain/native')).loadNative()
  if (native.loaded) useNativeKernels(native.kernels)
} catch {
  // not installed: the WebAssembly kernels decode, with the same bytes
}

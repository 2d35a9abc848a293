import { tf } from '@qchain/tensor/tfjs'

/** The two methods of tfjs-backend-wasm's BackendWasm this kernel needs. */
interface WasmBackend {
  readSync(dataId: object): ArrayLike<number>
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array | Int32Array): tf.TensorInfo
}

/**
 * tfjs-backend-wasm has no UnsortedSegmentSum kernel, and gather's gradient (the embedding
 * lookup in @qchain/model's `embed`) is a segment sum. This registers a plain JavaScript one
 * for the wasm backend, so the library forward trains unchanged. It runs once per step on
 * [batch * seq, hidden] rows: negligible next to the matmuls.
 */
export function registerWasmSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
      const numSegments = attrs?.numSegments as number
      const [rows = 0, ...inner] = x.shape
      if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== rows) throw new Error('UnsortedSegmentSum (wasm): only one segment id per row of x is supported')
      const wasm = backend as unknown as WasmBackend
      const values = wasm.readSync(x.dataId)
      const ids = wasm.readSync(segmentIds.dataId)
      const width = inner.reduce((a, b) => a * b, 1)
      const sums: Int32Array | Float32Array = x.dtype === 'int32' ? new Int32Array(numSegments * width) : new Float32Array(numSegments * width)
      for (let row = 0; row < rows; row++) {
        const segment = ids[row] as number
        if (segment < 0 || segment >= numSegments) continue // TensorFlow drops out-of-range ids
        for (let i = 0; i < width; i++) sums[segment * width + i] = (sums[segment * width + i] as number) + (values[row * width + i] as number)
      }
      return wasm.makeOutput([numSegments, ...inner], x.dtype, undefined, sums)
    },
  })
}

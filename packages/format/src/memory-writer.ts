import { createBuilder, type ContainerWriter, type WriterOptions } from './builder.js'

/** A writer that assembles the container in memory, for browsers and tests. */
export function createMemoryWriter(options: WriterOptions, name = '<memory>'): ContainerWriter & { finish(): Promise<Uint8Array> } {
  const chunks: { position: number; bytes: Uint8Array }[] = []
  const builder = createBuilder(
    {
      // Copied: the caller may reuse its buffer once addSection resolves.
      write: (position, bytes) => {
        chunks.push({ position, bytes: bytes.slice() })
        return Promise.resolve()
      },
    },
    name,
    options,
  )
  return {
    ...builder,
    async finish() {
      const { size } = await builder.finish()
      const out = new Uint8Array(size) // zero-filled, which is the padding
      for (const chunk of chunks) out.set(chunk.bytes, chunk.position)
      return out
    },
  }
}

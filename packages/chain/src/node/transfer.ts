/** The distinct ArrayBuffers under a value's typed arrays: what a worker message can move instead of copy. */
export function transferList(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>()
  const visit = (item: unknown): void => {
    if (ArrayBuffer.isView(item)) {
      if (item.buffer instanceof ArrayBuffer) buffers.add(item.buffer)
    } else if (Array.isArray(item)) {
      for (const element of item) visit(element)
    } else if (typeof item === 'object' && item !== null) {
      for (const element of Object.values(item)) visit(element)
    }
  }
  visit(value)
  return [...buffers]
}

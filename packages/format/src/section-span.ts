/** Where one section lies in its container and what it hashes to: enough for any thread to read and check it. */
export interface SectionSpan {
  id: number
  offset: number
  length: number
  xxh32: number
}

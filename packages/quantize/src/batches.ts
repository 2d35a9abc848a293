/** Splits sequences into batches of at most `size`, each holding sequences of one length (tfjs batches are rectangular). */
export function equalLengthBatches(sequences: readonly number[][], size: number): number[][][] {
  const byLength = new Map<number, number[][]>()
  for (const sequence of sequences) {
    const group = byLength.get(sequence.length) ?? []
    group.push(sequence)
    byLength.set(sequence.length, group)
  }
  const batches: number[][][] = []
  for (const group of byLength.values()) for (let i = 0; i < group.length; i += size) batches.push(group.slice(i, i + size))
  return batches
}

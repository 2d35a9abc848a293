import { Op, type CodeBuilder } from '@qchain/huffman'

/**
 * Takes the next index of the cursors at addresses[0..], in order, as several elements of a
 * step would one after another (the cursors are i32s in memory; taken[i] gets element i's index,
 * and each cursor ends one past its last taken index). All cursors are loaded before any is
 * stored and repeats are resolved with selects, so a run of one table costs one store-to-load
 * round trip per step, not one per element.
 */
export function takeCursors(b: CodeBuilder, addresses: number[], taken: number[]): void {
  addresses.forEach((address, i) => b.get(address).memory(Op.i32Load, 0, 2).set(taken[i]!))
  for (let i = 1; i < addresses.length; i++) {
    // The nearest earlier element of the same cursor decides: applied last, its select wins.
    for (let j = 0; j < i; j++) b.get(taken[j]!).i32(1).op(Op.i32Add).get(taken[i]!).get(addresses[i]!).get(addresses[j]!).op(Op.i32Eq, Op.select).set(taken[i]!)
  }
  addresses.forEach((address, i) => b.get(address).get(taken[i]!).i32(1).op(Op.i32Add).memory(Op.i32Store, 0, 2))
}

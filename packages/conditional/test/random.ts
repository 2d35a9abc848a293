import { seededRandom } from '@qchain/fixtures'

export { seededRandom }

/** Standard normal samples (Box-Muller) from a seeded uniform source. */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/**
 * A small seeded PRNG (xorshift32) so every fuzz case is reproducible from
 * (target, seed, case index) alone, independent of the cases run before it.
 */
export class Rng {
  private state: number

  constructor(seed: number) {
    // xorshift32 never leaves 0, so map a zero seed to a fixed non-zero state.
    this.state = seed >>> 0 || 0x9e3779b9
  }

  /** The RNG of one case: seed, target and index mixed so neighbouring cases are unrelated. */
  static forCase(target: string, seed: number, caseIndex: number): Rng {
    let h = 0x811c9dc5
    for (const char of `${target}\u0000${seed}\u0000${caseIndex}`) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193)
    const rng = new Rng(h)
    // A few rounds so the first outputs do not echo the hash's low bits.
    for (let i = 0; i < 8; i++) rng.next()
    return rng
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    let x = this.state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.state = x >>> 0
    return this.state
  }

  /** Uniform integer in [0, n), n >= 1. */
  int(n: number): number {
    return n <= 0x100000000 ? Math.floor((this.next() / 0x100000000) * n) : Math.floor(this.float() * n)
  }

  /** Uniform integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return (this.next() * 0x200000 + (this.next() >>> 11)) / 2 ** 53
  }

  chance(p: number): boolean {
    return this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff
    return out
  }

  /** Approximately normal, for weight-like values. */
  normal(): number {
    return this.float() + this.float() + this.float() + this.float() - 2
  }

  /** Small values far more often than large ones: a skewed symbol source for entropy coders. */
  geometric(p: number, max: number): number {
    let value = 0
    while (value < max && !this.chance(p)) value++
    return value
  }
}

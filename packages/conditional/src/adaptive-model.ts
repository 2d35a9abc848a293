import { CONTEXT_MASK, FAMILY_CONTEXTS } from './context.js'
import { PROBABILITY_ONE, type RangeDecoder, type RangeEncoder } from './adaptive-range-coder.js'

/**
 * The adaptive model of residual symbols 0..255 (255 escapes). A symbol s is coded as t = s + 1
 * in 1..256: its bucket b = floor(log2 t) in unary (bits "b > i" for i = 0.., at most 8; b = 8
 * is exactly the escape), then t's b bits below its top bit, most significant first. Since
 * t = 2|r| + (r > 0) for the zigzagged residual r, those bits are |r| below its top bit and then
 * the sign. Per context adapt the unary bits and a bit tree over the top mantissa bits of each
 * bucket; the bits below the tree adapt per (bucket, position), shared by all contexts.
 * A context is (k << 6) | context id, below 1024. Wide bins of every k share their id's nodes
 * (their symbols have the same spread at every scale, and small tensors learn them faster
 * together); the zero family keeps k apart, since there k moves the spikes.
 */
export const MAX_CONTEXT = 1024
export const BUCKETS = 8

/**
 * Tree depth (mantissa bits from the top) of the two context kinds: one bit for most; all of
 * them in the zero family, whose symbols are a few spikes (the child's binades).
 * `trees[b]` is bucket b's first node within a context (the unary nodes come first).
 */
export const LAYOUTS = [1, BUCKETS - 1].map((depth) => {
  const trees = new Int32Array(BUCKETS + 1)
  trees[1] = BUCKETS
  for (let b = 1; b < BUCKETS; b++) trees[b + 1] = (trees[b] as number) + (1 << Math.min(b, depth)) - 1
  return { treeEnd: 1 << depth, trees, nodes: trees[BUCKETS] as number }
})
/** Shared nodes: bucket b, bit position j. */
const SHARED_NODES = BUCKETS * BUCKETS

/**
 * Count-based adaptation: a node that has seen n bits moves toward each new bit by 1/(n + 2)
 * (the Krichevsky-Trofimov estimate: fast on small tensors), down to 1/RATE_FLOOR (large
 * tensors drift along their rows; 512 beat 256, 1024 and 4096 on isnet and babyllama).
 */
const RATE_FLOOR = 512
export const RATE_STEPS = RATE_FLOOR - 2
export const RATES = Int32Array.from({ length: RATE_STEPS + 1 }, (_, n) => Math.floor(PROBABILITY_ONE / (n + 2)))
const PROBABILITY_MASK = 0xffff
const SEEN_ONE = 1 << 16

/** Where each context's nodes are: nodes are allocated per key (the context, or its id for wide bins). */
export interface NodePlan {
  /** Index of each context's first node; -1 when absent. */
  base: Int32Array
  /** Each context's index into LAYOUTS. */
  layout: Uint8Array
  /** Index of the first shared node. */
  shared: number
  /** Nodes in all, the shared ones last. */
  count: number
}

/** Nodes only for the contexts that occur (at most 1024 of them, so a bounded allocation); all start equal, so the order they are met in does not matter. */
export function planNodes(contexts: Uint16Array): NodePlan {
  const base = new Int32Array(MAX_CONTEXT).fill(-1)
  const layout = new Uint8Array(MAX_CONTEXT)
  let nodes = 0
  // first node of each key: the context, or its id for wide bins
  const keyBase = new Int32Array(MAX_CONTEXT).fill(-1)
  for (let i = 0; i < contexts.length; i++) {
    const context = contexts[i] as number
    if (context >= MAX_CONTEXT) throw new RangeError(`context ${context} is not below ${MAX_CONTEXT}`)
    if ((base[context] as number) >= 0) continue
    const zeroFamily = (context & CONTEXT_MASK) >= FAMILY_CONTEXTS
    const key = zeroFamily ? context : context & CONTEXT_MASK
    const kind = zeroFamily ? 1 : 0
    if ((keyBase[key] as number) < 0) {
      keyBase[key] = nodes
      nodes += LAYOUTS[kind]!.nodes
    }
    base[context] = keyBase[key] as number
    layout[context] = kind
  }
  return { base, layout, shared: nodes, count: nodes + SHARED_NODES }
}

/** A node's starting state: P(bit = 0) = 1/2, no bits seen. */
export const NODE_START = PROBABILITY_ONE / 2

export class AdaptiveModel {
  /** Per node: P(bit = 0) in 1/65536ths (bits 0..15, starting at 1/2), bits seen (16.., capped at RATE_STEPS). */
  private readonly nodes: Int32Array
  private readonly base: Int32Array
  private readonly layout: Uint8Array
  private readonly shared: number

  constructor(contexts: Uint16Array) {
    const plan = planNodes(contexts)
    this.base = plan.base
    this.layout = plan.layout
    this.shared = plan.shared
    this.nodes = new Int32Array(plan.count).fill(NODE_START)
  }

  encode(coder: RangeEncoder, symbol: number, context: number): void {
    const base = this.base[context] as number
    const t = symbol + 1
    const bucket = 31 - Math.clz32(t)
    for (let i = 0; i < BUCKETS; i++) {
      const bit = bucket > i ? 1 : 0
      this.code(coder, base + i, bit)
      if (bit === 0) break
    }
    if (bucket === 0 || bucket === BUCKETS) return
    const { trees, treeEnd } = LAYOUTS[this.layout[context] as number]!
    const tree = base + (trees[bucket] as number) - 1
    let j = bucket - 1
    // node: 1 then the bits so far, a heap index into the bucket's tree
    for (let node = 1; j >= 0 && node < treeEnd; j--) {
      const bit = (t >>> j) & 1
      this.code(coder, tree + node, bit)
      node = (node << 1) | bit
    }
    for (; j >= 0; j--) this.code(coder, this.shared + BUCKETS * bucket + j, (t >>> j) & 1)
  }

  decode(coder: RangeDecoder, context: number): number {
    const base = this.base[context] as number
    let bucket = 0
    while (bucket < BUCKETS && this.bit(coder, base + bucket) === 1) bucket++
    if (bucket === 0) return 0
    if (bucket === BUCKETS) return 255
    const { trees, treeEnd } = LAYOUTS[this.layout[context] as number]!
    const tree = base + (trees[bucket] as number) - 1
    let t = 1
    let j = bucket - 1
    for (; j >= 0 && t < treeEnd; j--) t = (t << 1) | this.bit(coder, tree + t)
    for (; j >= 0; j--) t = (t << 1) | this.bit(coder, this.shared + BUCKETS * bucket + j)
    return t - 1
  }

  private code(coder: RangeEncoder, node: number, bit: number): void {
    const state = this.nodes[node] as number
    coder.encode(bit, state & PROBABILITY_MASK)
    this.nodes[node] = adapted(state, bit)
  }

  private bit(coder: RangeDecoder, node: number): number {
    const state = this.nodes[node] as number
    const bit = coder.decode(state & PROBABILITY_MASK)
    this.nodes[node] = adapted(state, bit)
    return bit
  }
}

/** A node's state after coding `bit`: p moves toward it by the rate of its count (p stays in 1..65535). */
function adapted(state: number, bit: number): number {
  const seen = state >>> 16
  const rate = RATES[seen] as number
  const p = state & PROBABILITY_MASK
  const next = bit === 0 ? p + (((PROBABILITY_ONE - p) * rate) >>> 16) : p - ((p * rate) >>> 16)
  return seen < RATE_STEPS ? next + (state & ~PROBABILITY_MASK) + SEEN_ONE : next + (state & ~PROBABILITY_MASK)
}

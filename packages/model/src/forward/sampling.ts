/** A deterministic uniform [0, 1) generator from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Picks the next token from one position's logits: the most likely one (lowest id on ties)
 * when temperature is 0, otherwise a draw from softmax(logits / temperature).
 */
export function sampleToken(logits: Float32Array, temperature: number, random: () => number): number {
  let best = 0
  for (let id = 1; id < logits.length; id++) if ((logits[id] as number) > (logits[best] as number)) best = id
  if (temperature === 0) return best
  const max = logits[best] as number
  const weights = Float64Array.from(logits, (logit) => Math.exp((logit - max) / temperature))
  let remaining = random() * weights.reduce((sum, weight) => sum + weight, 0)
  for (let id = 0; id < weights.length; id++) {
    remaining -= weights[id] as number
    if (remaining < 0) return id
  }
  return best // only reached through rounding in the running sum
}

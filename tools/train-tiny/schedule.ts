export interface LearningRateSchedule {
  peak: number
  /** Steps of linear warmup from 0 to the peak. */
  warmup: number
  /** The rate the cosine decay ends at, after `total` steps. */
  floor: number
  total: number
}

/** Linear warmup, then cosine decay from the peak to the floor (steps count from 0). */
export function learningRate({ peak, warmup, floor, total }: LearningRateSchedule, step: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup))
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress))
}

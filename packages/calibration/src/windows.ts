import { CalibrationError } from './errors.js'

/** `count` windows of `length` tokens at seeded random offsets in one long token stream. */
export function sampleWindows(tokens: readonly number[], count: number, length: number, random: () => number, file: string): number[][] {
  if (tokens.length < length) {
    throw new CalibrationError('too-short', `the text has ${tokens.length} tokens, fewer than one sequence of ${length}`, { file })
  }
  const windows: number[][] = []
  for (let i = 0; i < count; i++) {
    const start = Math.floor(random() * (tokens.length - length + 1))
    windows.push(tokens.slice(start, start + length))
  }
  return windows
}

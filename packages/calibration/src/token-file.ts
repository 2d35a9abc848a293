import { z } from 'zod'
import { CalibrationError } from './errors.js'

export type Split = 'calibration' | 'evaluation'

const sequencesSchema = z.array(z.array(z.number().int()).min(1)).min(1)

/**
 * Reads token sequences from JSON: an array of token-id arrays, or an object whose `split`
 * field is one (the fixtures' reference.json has `calibration` and `evaluation`).
 */
export function parseTokenJson(text: string, split: Split, file: string): number[][] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CalibrationError('invalid-file', `not valid JSON: ${(error as Error).message}`, { file })
  }
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json)
  const candidate = isObject ? (json as Record<string, unknown>)[split] : json
  if (candidate === undefined) {
    throw new CalibrationError('invalid-file', `the JSON object has no "${split}" field; give an array of token-id arrays or an object with one`, { file, field: split })
  }
  const parsed = sequencesSchema.safeParse(candidate)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = [isObject ? split : '', ...(issue?.path ?? [])].filter((part) => part !== '').join('.')
    throw new CalibrationError('invalid-file', `expected a non-empty array of non-empty token-id arrays: ${issue?.message ?? 'invalid'}`, { file, field })
  }
  return parsed.data
}

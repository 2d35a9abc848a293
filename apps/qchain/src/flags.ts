import { UsageError } from './usage-error.js'

/** A numeric flag's value, or `fallback` when absent; anything but a number in range is a usage error. */
export function numberFlag(value: string | undefined, flag: string, fallback: number, { integer = true, min = Number.NEGATIVE_INFINITY } = {}): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (value.trim() === '' || !Number.isFinite(parsed) || (integer && !Number.isInteger(parsed)) || parsed < min) {
    throw new UsageError(`--${flag} must be ${integer ? 'a whole number' : 'a number'}${min > Number.NEGATIVE_INFINITY ? ` >= ${min}` : ''}, not ${JSON.stringify(value)}`, flag)
  }
  return parsed
}

export function choiceFlag<T extends string>(value: string | undefined, flag: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, not ${JSON.stringify(value)}`, flag)
  return value as T
}

export function requiredFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`, flag)
  return value
}

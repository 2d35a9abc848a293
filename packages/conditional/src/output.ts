import { ConditionalError } from './errors.js'

/** A caller's buffer for the decoded child: Uint16Array for 16-bit weights, Uint8Array for codes. */
export type OutputArray = Uint16Array | Uint8Array

/** `into` when it is of the right type and length, else a new array; a wrong buffer is a usage error. */
export function outputArray<T extends OutputArray>(into: OutputArray | undefined, type: { new (length: number): T; name: string }, length: number): T {
  if (into === undefined) return new type(length)
  if (!(into instanceof type) || into.length !== length) throw new ConditionalError('bad-child', `the output buffer must be a ${type.name} of ${length} elements`, { field: 'into' })
  return into
}

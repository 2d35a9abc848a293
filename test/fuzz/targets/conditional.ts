import { Buffer } from 'node:buffer'
import { decode, decodeAlone, encode, encodeAlone, type Child, type CodecName, type HalfMatrix, type Int8Level, type Parent, type QuantLevel, type ResidualOptions } from '@qchain/conditional'
import { halfMatrix, halfValues, int8Level, quantLevel, randomWeights } from '../corpus/levels.js'
import { mutateBytes } from '../mutate.js'
import { OK, wrong, type FuzzTarget, type Verdict } from '../outcome.js'
import { Rng } from '../rng.js'

interface Pair {
  name: string
  child: Child
  parent: Parent
  stream: Uint8Array
}

interface Alone {
  name: string
  tensor: HalfMatrix | QuantLevel
  stream: Uint8Array
}

const isHalf = (level: Child): level is HalfMatrix => 'format' in level
const viewBytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
const sameChild = (a: Child, b: Child) =>
  isHalf(a) && isHalf(b) ? a.format === b.format && Buffer.compare(viewBytes(a.bits), viewBytes(b.bits)) === 0 : !isHalf(a) && !isHalf(b) && Buffer.compare(viewBytes(a.codes), viewBytes(b.codes)) === 0 && Buffer.compare(viewBytes(a.scales), viewBytes(b.scales)) === 0 && Buffer.compare(viewBytes(a.zeros), viewBytes(b.zeros)) === 0 && Buffer.compare(viewBytes(a.gIdx), viewBytes(b.gIdx)) === 0

/** Why a decoded child is malformed for a [rows, cols] parent, or undefined when its shape is right. */
function shapeProblem(child: Child, rows: number, cols: number): string | undefined {
  if (child.rows !== rows || child.cols !== cols) return `decoded [${child.rows}, ${child.cols}] for a [${rows}, ${cols}] parent`
  if (isHalf(child)) return child.bits.length === rows * cols && (child.format === 'f16' || child.format === 'bf16') ? undefined : `${child.bits.length} ${child.format} values`
  const groups = child.scales.length / rows
  if (child.codes.length !== rows * cols || !Number.isInteger(groups) || groups < 1 || child.zeros.length !== child.scales.length || child.gIdx.length !== cols) return 'code arrays of the wrong lengths'
  if (!(child.bits >= 1 && child.bits <= 8) || child.codes.some((code) => code >> child.bits !== 0)) return `a code above ${child.bits} bits`
  if (child.gIdx.some((group) => !(group >= 0 && group < groups))) return 'a g_idx outside the groups'
  return undefined
}

/** The residual codec's adaptive and static coders (version 2) and its version 1, and QStore's method. */
const STREAM_KINDS: ({ codec: CodecName } & ResidualOptions)[] = [{ codec: 'residual', coder: 'adaptive' }, { codec: 'residual', coder: 'static' }, { codec: 'residual', version: 1 }, { codec: 'qstore' }]

/** Valid pairs of every supported kind (16|int8, 16|4, 16|8, 8|4; fp16 and bf16; every stream kind) and alone streams. */
function buildCorpus(): { pairs: Pair[]; alones: Alone[] } {
  const rng = new Rng(0xc0d1)
  const pairs: Pair[] = []
  const alones: Alone[] = []
  for (const [rows, cols] of [[4, 32], [16, 64], [24, 96]] as const) {
    for (const format of ['f16', 'bf16'] as const) {
      const half = halfMatrix(randomWeights(rng, rows, cols), rows, cols, format)
      const values = halfValues(half)
      const four = quantLevel(values, rows, cols, 4, 32, true)
      const eight = quantLevel(values, rows, cols, 8, cols === 96 ? 64 : 32, false)
      const candidates: [string, Child, Parent][] = [
        [`16|int8 ${format}`, half, int8Level(values, rows, cols)],
        [`16|4 ${format}`, half, four],
        [`16|8 ${format}`, half, eight],
        ['8|4', eight, four],
      ]
      for (const [name, child, parent] of candidates) {
        for (const options of STREAM_KINDS) pairs.push({ name: `${name} ${JSON.stringify(options)} [${rows}, ${cols}]`, child, parent, stream: encode(child, parent, options) })
      }
      alones.push({ name: `alone ${format} [${rows}, ${cols}]`, tensor: half, stream: encodeAlone(half) })
      alones.push({ name: `alone 4-bit [${rows}, ${cols}]`, tensor: four, stream: encodeAlone(four) })
    }
  }
  return { pairs, alones }
}

/** A copy of the parent with one value or dimension changed: the fingerprint and shape checks must catch what matters. */
function mutateParent(parent: Parent, rng: Rng, log: string[]): Parent {
  const copy = 'scb' in parent ? { ...parent, weight: parent.weight.slice(), scb: parent.scb.slice() } : { ...parent, codes: parent.codes.slice(), scales: parent.scales.slice(), zeros: parent.zeros.slice(), gIdx: parent.gIdx.slice() }
  const arrays: Record<string, Int8Array | Float32Array | Uint8Array | Uint16Array | Int32Array> = 'scb' in copy ? { weight: copy.weight, scb: copy.scb } : { codes: copy.codes, scales: copy.scales, zeros: copy.zeros, gIdx: copy.gIdx }
  const roll = rng.int(10)
  if (roll < 2) {
    const dims: { rows: number; cols: number; bits?: number } = copy
    const field = rng.pick<'rows' | 'cols' | 'bits'>('bits' in copy ? ['rows', 'cols', 'bits'] : ['rows', 'cols'])
    const value = rng.pick([0, 1, (dims[field] ?? 0) + 1, (dims[field] ?? 0) * 2, 2 ** 31, 0.5, -1])
    dims[field] = value
    log.push(`parent ${field} = ${value}`)
    return copy
  }
  const name = rng.pick(Object.keys(arrays))
  const array = arrays[name] as Uint8Array
  const at = rng.int(array.length)
  array[at] = rng.chance(0.5) ? (array[at] as number) + 1 : rng.int(256)
  log.push(`parent ${name}[${at}] changed`)
  return copy
}

/** Conditional streams (decode given a parent) and alone streams (decodeAlone); no checksum, so a decode may succeed but must be well-formed. */
export const conditionalTarget: FuzzTarget = {
  name: 'conditional',
  async prepare() {
    const { pairs, alones } = buildCorpus()
    return {
      async run(rng, log): Promise<Verdict> {
        if (rng.chance(0.2)) {
          const alone = rng.pick(alones)
          const { bytes, did } = mutateBytes(alone.stream, rng)
          log.push(`${alone.name}, ${did}`)
          const tensor = decodeAlone(bytes)
          if (Buffer.compare(bytes, alone.stream) === 0 && !sameChild(tensor, alone.tensor)) return wrong('an unchanged alone stream decoded to another tensor')
          const problem = shapeProblem(tensor, tensor.rows, tensor.cols)
          return problem ? wrong(problem) : OK
        }
        const pair = rng.pick(pairs)
        log.push(pair.name)
        let bytes = pair.stream
        let parent = pair.parent
        if (rng.chance(0.15)) parent = mutateParent(parent, rng, log)
        else {
          const mutated = mutateBytes(pair.stream, rng)
          bytes = mutated.bytes
          log.push(mutated.did)
        }
        const into = rng.chance(0.2) ? (isHalf(pair.child) ? new Uint16Array(pair.parent.rows * pair.parent.cols) : new Uint8Array(pair.parent.rows * pair.parent.cols)) : undefined
        if (into) log.push('into an output array')
        const child = decode(bytes, parent, into)
        if (bytes === pair.stream && parent === pair.parent && !sameChild(child, pair.child)) return wrong('an unchanged stream decoded to another child')
        const problem = shapeProblem(child, parent.rows, parent.cols)
        return problem ? wrong(problem) : OK
      },
    }
  },
}

import type { ByteWriter } from '@qchain/huffman'
import { ConditionalError } from './errors.js'
import type { HalfFormat } from './half.js'
import { fingerprint, parentGroups } from './parent.js'
import type { Reader } from './reader.js'
import { isHalfMatrix, isInt8Level, MAX_ELEMENTS, type Child, type Parent } from './types.js'

/** 'Q', 'C': first bytes of every conditional stream. */
const MAGIC_0 = 0x51
const MAGIC_1 = 0x43
/** Version 2 changed only the residual body (docs/conditional.md); version 1 streams still read. */
export type FormatVersion = 1 | 2
export const LATEST_VERSION: FormatVersion = 2

export function isFormatVersion(value: unknown): value is FormatVersion {
  return value === 1 || value === 2
}

export const CodecId = { Residual: 1, Qstore: 2 } as const
export type CodecId = (typeof CodecId)[keyof typeof CodecId]

const ChildKind = { F16: 1, Bf16: 2, Codes: 3 } as const
const ParentKind = { Int8: 1, Codes: 2 } as const

/** What the header says about the child; the parent's part is checked against the given parent. */
export interface StreamHeader {
  codec: CodecId
  version: FormatVersion
  rows: number
  cols: number
  /** 'codes' for a GPTQ child level, whose code width is childBits. */
  child: HalfFormat | 'codes'
  childBits: number
}

export function writeHeader(codec: CodecId, version: FormatVersion, child: Child, parent: Parent, out: ByteWriter): void {
  out.byte(MAGIC_0)
  out.byte(MAGIC_1)
  out.byte(version)
  out.byte(codec)
  out.byte(isHalfMatrix(child) ? (child.format === 'f16' ? ChildKind.F16 : ChildKind.Bf16) : ChildKind.Codes)
  out.byte(isHalfMatrix(child) ? 16 : child.bits)
  out.byte(isInt8Level(parent) ? ParentKind.Int8 : ParentKind.Codes)
  out.byte(isInt8Level(parent) ? 8 : parent.bits)
  out.varint(child.rows)
  out.varint(child.cols)
  out.varint(parentGroups(parent))
  const print = fingerprint(parent)
  for (let shift = 0; shift < 32; shift += 8) out.byte((print >>> shift) & 0xff)
}

/** Reads the header and refuses a parent that is not the one the stream was coded against. */
export function readHeader(reader: Reader, parent: Parent): StreamHeader {
  if (reader.byte('magic') !== MAGIC_0 || reader.byte('magic') !== MAGIC_1) throw new ConditionalError('bad-magic', 'not a qchain conditional stream', { field: 'magic' })
  const version = reader.byte('version')
  if (!isFormatVersion(version)) throw new ConditionalError('bad-version', `format version ${version} is not supported`, { field: 'version' })
  const codec = reader.byte('codec')
  if (codec !== CodecId.Residual && codec !== CodecId.Qstore) throw new ConditionalError('bad-header', `unknown codec ${codec}`, { field: 'codec' })
  const childKind = reader.byte('child kind')
  const childBits = reader.byte('child bits')
  const expectedBits = childKind === ChildKind.Codes ? childBits >= 1 && childBits <= 8 : childBits === 16
  if ((childKind !== ChildKind.F16 && childKind !== ChildKind.Bf16 && childKind !== ChildKind.Codes) || !expectedBits) {
    throw new ConditionalError('bad-header', `child kind ${childKind} with ${childBits} bits is not defined`, { field: 'child kind' })
  }
  const parentKind = reader.byte('parent kind')
  const parentBits = reader.byte('parent bits')
  const rows = reader.boundedVarint('rows', MAX_ELEMENTS, 'bad-header')
  const cols = reader.boundedVarint('cols', MAX_ELEMENTS, 'bad-header')
  const groups = reader.varint('parent groups')
  const print = reader.u32('parent fingerprint')
  const level = isInt8Level(parent) ? 'int8' : `${parent.bits}-bit`
  if (parentKind !== (isInt8Level(parent) ? ParentKind.Int8 : ParentKind.Codes) || parentBits !== (isInt8Level(parent) ? 8 : parent.bits)) {
    throw new ConditionalError('wrong-parent', `stream was coded against a ${parentKind === ParentKind.Int8 ? 'int8' : `${parentBits}-bit`} parent, got a ${level} one`, { level, field: 'parent kind' })
  }
  if (rows !== parent.rows || cols !== parent.cols) throw new ConditionalError('wrong-parent', `stream is [${rows}, ${cols}], parent is [${parent.rows}, ${parent.cols}]`, { level, field: 'shape' })
  if (groups !== parentGroups(parent)) throw new ConditionalError('wrong-parent', `stream expects ${groups} parent groups, parent has ${parentGroups(parent)}`, { level, field: 'groups' })
  if (print !== fingerprint(parent)) throw new ConditionalError('wrong-parent', 'parent scales differ from the ones the stream was coded against', { level, field: 'fingerprint' })
  if (childKind === ChildKind.Codes && isInt8Level(parent)) throw new ConditionalError('bad-header', 'a code child needs a GPTQ parent', { field: 'child kind' })
  const child = childKind === ChildKind.F16 ? 'f16' : childKind === ChildKind.Bf16 ? 'bf16' : 'codes'
  return { codec, version, rows, cols, child, childBits }
}

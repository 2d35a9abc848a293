import { closeSync, openSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SectionScratch } from '@qchain/format/section-file'
import { readParts, type FileRange, type RawMatrix } from '../src/node/matrix-source.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-parts-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('readParts', () => {
  it('reads a matrix and its parent into one buffer, each part at an 8-byte boundary, given bytes passed through', async () => {
    const path = join(dir, 'parts.bin')
    const file = Uint8Array.from({ length: 200 }, (_, i) => (i * 7 + 3) & 0xff)
    await writeFile(path, file)
    const fd = openSync(path, 'r')
    try {
      const range = (offset: number, length: number): FileRange => ({ fd, file: path, offset, length })
      const given = Uint8Array.of(1, 2, 3)
      const matrix: RawMatrix<Uint8Array | FileRange> = { kind: 'int8', parts: [{ part: 'weight', bytes: range(3, 10), dtype: 'I8', shape: [2, 5] }, { part: 'SCB', bytes: given, dtype: 'F32', shape: [2] }] }
      const parent: RawMatrix<Uint8Array | FileRange> = { kind: 'half', parts: [{ part: 'weight', bytes: range(101, 7), dtype: 'F16', shape: [1, 3] }] }
      const scratch = new SectionScratch(1024)
      const [a, b] = readParts([matrix, parent], scratch.space)
      const read = [a?.parts[0]?.bytes, b?.parts[0]?.bytes] as Uint8Array[]
      expect(Buffer.from(read[0] as Uint8Array)).toEqual(Buffer.from(file.subarray(3, 13)))
      expect(Buffer.from(read[1] as Uint8Array)).toEqual(Buffer.from(file.subarray(101, 108)))
      expect(read.every((bytes) => bytes.byteOffset % 8 === 0 && scratch.holds(bytes))).toBe(true)
      expect(a?.parts[1]?.bytes).toBe(given)
      // without a scratch, a buffer of their own
      const [fresh] = readParts([matrix])
      expect(scratch.holds(fresh?.parts[0]?.bytes as Uint8Array)).toBe(false)
    } finally {
      closeSync(fd)
    }
  })
})

import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeBehind } from '../src/node/write-behind.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-write-behind-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const MiB = 1024 * 1024

describe('files written behind the caller', () => {
  it('holds the chunks in order, however their writes finish', async () => {
    const chunks = [3, 40 * MiB, 1, 30 * MiB, 5 * MiB + 7].map((length, i) => new Uint8Array(length).fill(i + 1))
    const handle = await open(join(dir, 'out.bin'), 'w')
    try {
      const out = writeBehind(handle)
      for (const chunk of chunks) await out.write(chunk)
      await out.flush()
    } finally {
      await handle.close()
    }
    expect(Buffer.compare(await readFile(join(dir, 'out.bin')), Buffer.concat(chunks))).toBe(0)
  })

  it('runs ahead of the disk by 64 MiB at most, and a failed write rejects the next call and flush()', async () => {
    const held: { resolve: (value: { bytesWritten: number }) => void; reject: (error: Error) => void; length: number }[] = []
    const handle = { write: (_bytes: Uint8Array, _offset: number, length: number) => new Promise((resolve, reject) => void held.push({ resolve, reject, length })) } as unknown as FileHandle
    const out = writeBehind(handle)
    await out.write(new Uint8Array(60 * MiB))
    let third = false
    const waiting = out.write(new Uint8Array(10 * MiB)).then(() => (third = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(third, '70 MiB unwritten: the caller waits').toBe(false)
    held[0]?.resolve({ bytesWritten: held[0].length })
    await waiting
    held[1]?.reject(new Error('disk full'))
    await expect(out.flush()).rejects.toThrow('disk full')
    await expect(out.write(new Uint8Array(1))).rejects.toThrow('disk full')
  })
})

import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeAllAt } from '@qchain/safetensors/node'
import { createBuilder, type ContainerSink } from '../src/builder.js'
import { WriteBehind } from '../src/write-behind.js'

/** A sink whose writes finish only when the test says so. */
function heldSink() {
  const waiting: { resolve: () => void; reject: (error: Error) => void }[] = []
  const sink: ContainerSink = { write: () => new Promise<void>((resolve, reject) => void waiting.push({ resolve, reject })) }
  return { sink, waiting }
}

const settled = async (promise: Promise<unknown>) => {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true),
  )
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  return done
}

const MiB = 1024 * 1024

describe('sections are written behind the caller', () => {
  it('hands out ids while writes are pending, and waits once 64 MiB are unwritten', async () => {
    const { sink, waiting } = heldSink()
    const writer = createBuilder(sink, 'held.qchain', { levels: [{ name: '4', parent: null }] })
    const meta = { role: 'payload', level: '4' }
    expect(await writer.addSection(new Uint8Array(40 * MiB), meta)).toBe(0)
    expect(await writer.addSection(new Uint8Array(20 * MiB), meta)).toBe(1)
    const third = writer.addSection(new Uint8Array(8 * MiB), meta)
    expect(await settled(third), '68 MiB unwritten: the caller waits').toBe(false)
    // waiting[0] is the file header; releasing the 40 MiB section makes room.
    waiting[1]?.resolve()
    expect(await third).toBe(2)
  })

  it('a failed write rejects the next call and finish()', async () => {
    const { sink, waiting } = heldSink()
    const writer = createBuilder(sink, 'failing.qchain', { levels: [{ name: '4', parent: null }] })
    const meta = { role: 'payload', level: '4' }
    const first = writer.addSection(new Uint8Array(70 * MiB), meta)
    waiting[1]?.reject(new Error('disk full'))
    await expect(first, 'the call waiting for room').rejects.toThrow('disk full')
    await expect(writer.addSection(new Uint8Array(1), meta), 'a later call').rejects.toThrow('disk full')
    for (const write of waiting) write.resolve()
    await expect(writer.finish()).rejects.toThrow('disk full')
  })
})

describe('WriteBehind on a file', () => {
  it('lands every chunk at its position, however the writes finish', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qchain-write-behind-'))
    try {
      const chunks = [3, 40 * MiB, 1, 30 * MiB, 5 * MiB + 7].map((length, i) => new Uint8Array(length).fill(i + 1))
      const handle = await open(join(dir, 'out.bin'), 'w')
      try {
        const out = new WriteBehind({ write: (position, bytes) => writeAllAt(handle, bytes, position) })
        let position = 0
        for (const chunk of chunks) {
          await out.write(position, chunk)
          position += chunk.length
        }
        await out.flush()
      } finally {
        await handle.close()
      }
      expect(Buffer.compare(await readFile(join(dir, 'out.bin')), Buffer.concat(chunks))).toBe(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

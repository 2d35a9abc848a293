import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRangeServer, type RangeServer } from '../server/range-server.js'
import { cachedSource, gaps } from '../src/cached-source.js'
import { openRangeSource, RangeRequestError, type RangeProblem } from '../src/range-source.js'

const BYTES = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff)
let dir: string
let server: RangeServer
let ignoring: Server
let ignoringUrl: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qchain-web-range-'))
  await writeFile(join(dir, 'data.bin'), BYTES)
  await writeFile(join(dir, 'empty.bin'), new Uint8Array(0))
  server = await startRangeServer({ root: dir })
  // A server that ignores Range and always sends the whole body with 200.
  ignoring = createServer((_, response) => response.writeHead(200, { 'Content-Length': String(BYTES.length) }).end(BYTES))
  await new Promise<void>((done) => ignoring.listen(0, '127.0.0.1', done))
  ignoringUrl = `http://127.0.0.1:${(ignoring.address() as AddressInfo).port}/data.bin`
})
afterAll(async () => {
  await server.close()
  await new Promise((done) => ignoring.close(done))
  await rm(dir, { recursive: true, force: true })
})

async function problemOf(promise: Promise<unknown>): Promise<RangeProblem> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(RangeRequestError)
  return (error as RangeRequestError).problem
}

describe('the range server', () => {
  it('answers ranges with 206 and Content-Range, bad ones with 416, and logs what it served', async () => {
    const get = (range?: string, path = '/data.bin') => fetch(`${server.url}${path}`, range === undefined ? {} : { headers: { Range: range } })
    const from = server.log.length
    const middle = await get('bytes=10-19')
    expect([middle.status, middle.headers.get('content-range')]).toEqual([206, 'bytes 10-19/1000'])
    expect(new Uint8Array(await middle.arrayBuffer())).toEqual(BYTES.subarray(10, 20))
    const suffix = await get('bytes=-5')
    expect([suffix.status, suffix.headers.get('content-range')]).toEqual([206, 'bytes 995-999/1000'])
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(BYTES.subarray(995))
    const open = await get('bytes=990-')
    expect((await open.arrayBuffer()).byteLength).toBe(10)
    const whole = await get()
    expect([whole.status, (await whole.arrayBuffer()).byteLength]).toEqual([200, 1000])
    for (const bad of ['bytes=1000-1000', 'bytes=20-10', 'bytes=0-1,5-6', 'bytes=x-1', 'items=0-1', 'bytes=-0']) {
      const refused = await get(bad)
      expect([bad, refused.status, refused.headers.get('content-range')]).toEqual([bad, 416, 'bytes */1000'])
    }
    expect((await get(undefined, '/../../etc/passwd')).status).toBe(404)
    expect((await get(undefined, '/missing.bin')).status).toBe(404)
    expect(server.log.slice(from).map(({ path, start, end, status }) => [path, start, end, status])).toEqual([
      ['/data.bin', 10, 20, 206],
      ['/data.bin', 995, 1000, 206],
      ['/data.bin', 990, 1000, 206],
      ['/data.bin', 0, 1000, 200],
    ])
  })
})

describe('openRangeSource', () => {
  it('reads exact slices and counts the bytes it received', async () => {
    const source = await openRangeSource(`${server.url}/data.bin`)
    expect(source.size).toBe(1000)
    expect(await source.slice(100, 356)).toEqual(BYTES.subarray(100, 356))
    expect(await source.slice(999, 1000)).toEqual(BYTES.subarray(999))
    expect(await source.slice(5, 5)).toEqual(new Uint8Array(0))
    expect([source.fetchedBytes, source.requests]).toEqual([1 + 256 + 1, 3])
    expect(await problemOf(source.slice(990, 1001))).toBe('out-of-bounds')
    expect((await openRangeSource(`${server.url}/empty.bin`)).size).toBe(0)
  })

  it('refuses a missing resource, a server that ignores ranges, one that lies about them, and a dead host', async () => {
    expect(await problemOf(openRangeSource(`${server.url}/missing.bin`))).toBe('http-status')
    expect(await problemOf(openRangeSource(ignoringUrl))).toBe('no-range-support')
    // A proxy that answers every range with the first ten bytes of the file.
    const firstTen: typeof fetch = (input, init) => fetch(input, { ...init, headers: { Range: 'bytes=0-9' } })
    expect(await problemOf(openRangeSource(`${server.url}/data.bin`, { fetch: firstTen }))).toBe('bad-content-range')
    // One that answers the probe honestly and later reads with the wrong bytes.
    let calls = 0
    const lateLiar: typeof fetch = (input, init) => (calls++ === 0 ? fetch(input, init) : firstTen(input, init))
    expect(await problemOf((await openRangeSource(`${server.url}/data.bin`, { fetch: lateLiar })).slice(100, 110))).toBe('bad-content-range')
    const closed = await startRangeServer({ root: dir })
    await closed.close()
    expect(await problemOf(openRangeSource(`${closed.url}/data.bin`))).toBe('network')
  })
})

describe('cachedSource', () => {
  it('fetches only the bytes it has not seen, and returns them exactly', async () => {
    const network = await openRangeSource(`${server.url}/data.bin`)
    const cached = cachedSource(network)
    expect(await cached.slice(100, 200)).toEqual(BYTES.subarray(100, 200))
    expect(await cached.slice(150, 180)).toEqual(BYTES.subarray(150, 180))
    expect(network.fetchedBytes).toBe(1 + 100)
    // Overlapping both sides, and concurrent with a read of the same bytes.
    const [wide, again] = await Promise.all([cached.slice(50, 250), cached.slice(60, 240)])
    expect(wide).toEqual(BYTES.subarray(50, 250))
    expect(again).toEqual(BYTES.subarray(60, 240))
    expect(network.fetchedBytes).toBe(1 + 200)
    expect(network.requests).toBe(1 + 3)
    expect(await cached.slice(7, 7)).toEqual(new Uint8Array(0))
    expect(await problemOf(cached.slice(0, 1001))).toBe('out-of-bounds')
  })

  it('computes gaps between chunks', () => {
    const chunks = [
      { start: 10, bytes: new Uint8Array(10) },
      { start: 30, bytes: new Uint8Array(5) },
    ]
    expect(gaps(chunks, 0, 40)).toEqual([
      [0, 10],
      [20, 30],
      [35, 40],
    ])
    expect(gaps(chunks, 12, 18)).toEqual([])
    expect(gaps(chunks, 15, 32)).toEqual([[20, 30]])
  })
})

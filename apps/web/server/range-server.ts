import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'

/** One response the server sent: the URL path and the bytes [start, end) of the file it served. */
export interface ServedRange {
  path: string
  start: number
  end: number
  status: 200 | 206
}

export interface RangeServer {
  /** e.g. http://127.0.0.1:43817 (no trailing slash). */
  readonly url: string
  /** Every response with a body, in the order they were sent. */
  readonly log: ServedRange[]
  close(): Promise<void>
}

export interface RangeServerOptions {
  /** A folder served at / (the built page). */
  root: string
  /** Extra files by URL path, e.g. { '/tiny.qchain': '/tmp/x/tiny.qchain' }. */
  files?: Record<string, string>
  /** Called for each response with a body, e.g. to print it. */
  onServe?: (range: ServedRange) => void
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
}

/**
 * A static server for the demo and its tests: honours single byte ranges (206 with
 * Content-Range, 416 for malformed or unsatisfiable ones) and records every range it serves.
 * Listens on 127.0.0.1 only, on a port the system picks.
 */
export async function startRangeServer(options: RangeServerOptions): Promise<RangeServer> {
  const log: ServedRange[] = []
  const root = resolve(options.root)
  const server = createServer((request, response) => {
    handle(request, response, root, options.files ?? {}, (range) => {
      log.push(range)
      options.onServe?.(range)
    }).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' })
      response.end(String(error))
    })
  })
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', done)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

async function handle(request: IncomingMessage, response: ServerResponse, root: string, files: Record<string, string>, record: (range: ServedRange) => void): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)
  const file = files[path] ?? inside(root, path === '/' ? '/index.html' : path)
  const info = file === undefined ? undefined : await stat(file).catch(() => undefined)
  if (file === undefined || !info?.isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`)
    return
  }
  const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' }
  const header = request.headers.range
  let start = 0
  let end = info.size
  let status: 200 | 206 = 200
  if (header !== undefined) {
    const range = parseRange(header, info.size)
    if (!range) {
      response.writeHead(416, { ...headers, 'Content-Range': `bytes */${info.size}` }).end()
      return
    }
    ;[start, end] = range
    status = 206
  }
  response.writeHead(status, { ...headers, 'Content-Length': String(end - start), ...(status === 206 && { 'Content-Range': `bytes ${start}-${end - 1}/${info.size}` }) })
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  record({ path, start, end, status })
  if (end === start) {
    response.end()
    return
  }
  createReadStream(file, { start, end: end - 1 })
    .on('error', (error) => response.destroy(error))
    .pipe(response)
}

/** A path under root, or undefined if it would leave it. */
function inside(root: string, urlPath: string): string | undefined {
  const path = normalize(join(root, urlPath))
  return path.startsWith(root + sep) ? path : undefined
}

/**
 * [start, end) for one `bytes=a-b`, `bytes=a-` or `bytes=-n` range inside `size`; undefined
 * for anything else (several ranges, garbage, a start past the end, an empty suffix).
 */
export function parseRange(header: string, size: number): [number, number] | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match) return undefined
  const [, first = '', last = ''] = match
  if (first === '') {
    const suffix = Number(last)
    if (last === '' || suffix === 0 || size === 0) return undefined
    return [Math.max(0, size - suffix), size]
  }
  const start = Number(first)
  const end = last === '' ? size : Math.min(Number(last) + 1, size)
  if (!Number.isSafeInteger(start) || start >= size || (last !== '' && Number(last) < start)) return undefined
  return [start, end]
}

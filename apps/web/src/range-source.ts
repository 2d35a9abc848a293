import type { Container } from '@qchain/format'

/** The byte source interface the container reader reads through (from @qchain/safetensors). */
export type ByteSource = Container['source']

export type RangeProblem = 'network' | 'http-status' | 'no-range-support' | 'bad-content-range' | 'short-body' | 'out-of-bounds'

/** A ranged read that did not return exactly the bytes asked for; `problem` is stable for callers to match on. */
export class RangeRequestError extends Error {
  readonly problem: RangeProblem
  readonly url: string
  /** The bytes asked for, [start, end), when the failure concerns one read. */
  readonly range: readonly [number, number] | undefined

  constructor(problem: RangeProblem, url: string, range: readonly [number, number] | undefined, detail: string, options?: { cause?: unknown }) {
    super(`${detail} (url ${JSON.stringify(url)}${range ? `, bytes [${range[0]}, ${range[1]})` : ''})`, options)
    this.name = 'RangeRequestError'
    this.problem = problem
    this.url = url
    this.range = range
  }
}

/** One read that went over the network, with the running totals. */
export interface FetchEvent {
  start: number
  end: number
  totalBytes: number
  requests: number
}

export interface RangeSource extends ByteSource {
  readonly url: string
  /** Body bytes received so far, the size probe included. */
  readonly fetchedBytes: number
  readonly requests: number
}

export interface RangeSourceOptions {
  fetch?: typeof fetch
  onFetch?: (event: FetchEvent) => void
}

/**
 * Opens a resource for ranged reads. A 1-byte probe learns the size from Content-Range and
 * proves the server honours ranges, so a server that would send the whole file fails here
 * instead of silently downloading everything.
 */
export async function openRangeSource(url: string, options: RangeSourceOptions = {}): Promise<RangeSource> {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
  let fetchedBytes = 0
  let requests = 0
  const received = (start: number, end: number, bytes: Uint8Array) => {
    fetchedBytes += bytes.length
    requests++
    options.onFetch?.({ start, end, totalBytes: fetchedBytes, requests })
  }

  const probe = await request(fetchImpl, url, 0, 1)
  const probed = parseContentRange(probe.headers.get('content-range'))
  let size: number
  // A 416 for bytes=0-0 means an empty resource: Content-Range then reads `bytes */0`.
  if (probe.status === 416 && probed?.total === 0 && probed.start === undefined) size = 0
  else {
    checkStatus(probe, url, [0, 1])
    if (probed?.start !== 0 || probed.end !== 1) {
      void probe.body?.cancel().catch(() => undefined)
      throw new RangeRequestError('bad-content-range', url, [0, 1], `asked for the first byte, the server answered with Content-Range ${JSON.stringify(probe.headers.get('content-range'))} (a cross-origin server must list Content-Range in Access-Control-Expose-Headers)`)
    }
    size = probed.total
    received(0, 1, new Uint8Array(await probe.arrayBuffer()))
  }
  const total = size

  return {
    url,
    name: url,
    size: total,
    get fetchedBytes() {
      return fetchedBytes
    },
    get requests() {
      return requests
    },
    async slice(start, end) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > total) {
        throw new RangeRequestError('out-of-bounds', url, [start, end], `read outside a resource of ${total} bytes`)
      }
      // `bytes=a-b` cannot express an empty range.
      if (start === end) return new Uint8Array(0)
      const response = await request(fetchImpl, url, start, end)
      checkStatus(response, url, [start, end])
      const contentRange = response.headers.get('content-range')
      const answered = parseContentRange(contentRange)
      // Cross-origin responses may hide the header; the length check below still holds.
      if (contentRange !== null && (!answered || answered.start !== start || answered.end !== end || answered.total !== total)) {
        void response.body?.cancel().catch(() => undefined)
        throw new RangeRequestError('bad-content-range', url, [start, end], `the server answered with Content-Range ${JSON.stringify(contentRange)}`)
      }
      const bytes = new Uint8Array(await response.arrayBuffer())
      received(start, end, bytes)
      if (bytes.length !== end - start) throw new RangeRequestError('short-body', url, [start, end], `asked for ${end - start} bytes, got ${bytes.length}`)
      return bytes
    },
  }
}

async function request(fetchImpl: typeof fetch, url: string, start: number, end: number): Promise<Response> {
  try {
    // no-store: every read goes to the server, so the bytes the page counts are the bytes moved.
    return await fetchImpl(url, { headers: { Range: `bytes=${start}-${end - 1}` }, cache: 'no-store' })
  } catch (error) {
    throw new RangeRequestError('network', url, [start, end], `request failed: ${(error as Error).message}`, { cause: error })
  }
}

function checkStatus(response: Response, url: string, range: readonly [number, number]): void {
  if (response.status === 206) return
  // Drop the body we will not read, so a 200 does not keep downloading the whole file.
  void response.body?.cancel().catch(() => undefined)
  if (response.status === 200) {
    throw new RangeRequestError('no-range-support', url, range, 'the server ignored the Range header and sent the whole resource (200 instead of 206)')
  }
  throw new RangeRequestError('http-status', url, range, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`)
}

// `bytes a-b/N` as [a, b + 1) of N, or `bytes */N`; undefined when absent or unreadable.
function parseContentRange(header: string | null): { start?: number; end?: number; total: number } | undefined {
  const match = header?.match(/^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+)\s*$/i)
  if (!match) return undefined
  const total = Number(match[3])
  if (!Number.isSafeInteger(total)) return undefined
  if (match[1] === undefined) return { total }
  return { start: Number(match[1]), end: Number(match[2]) + 1, total }
}

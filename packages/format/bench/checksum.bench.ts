/** Section checksum throughput (docs/FORMAT.md quotes it): xxh32 over 64 MiB, best of 5. */
import { xxh32 } from '../src/xxhash32.js'

const bytes = new Uint8Array(64 * 1024 * 1024)
for (let i = 0; i < bytes.length; i++) bytes[i] = Math.imul(i, 2654435761) >>> 24
xxh32(bytes.subarray(0, 1 << 20)) // warm up
let best = Number.POSITIVE_INFINITY
for (let run = 0; run < 5; run++) {
  const start = performance.now()
  xxh32(bytes)
  best = Math.min(best, performance.now() - start)
}
console.log(`xxh32: ${(bytes.length / 1e6 / best).toFixed(2)} GB/s (64 MiB in ${best.toFixed(1)} ms)`)

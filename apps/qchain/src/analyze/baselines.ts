import { compressSync } from 'lz4-napi'
import { compress } from 'zstd-napi'

/** Sizes general-purpose compressors reach on the same bytes. */
export interface BaselineSizes {
  raw: number
  lz4: number
  zstd3: number
  zstd19: number
}

export const NO_BASELINES: BaselineSizes = { raw: 0, lz4: 0, zstd3: 0, zstd19: 0 }

// zstd-napi, because @mongodb-js/zstd 1.2.x ignores its level argument (every level gives level 3's output).
export function baselineSizes(bytes: Uint8Array): BaselineSizes {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    raw: bytes.length,
    lz4: compressSync(buffer).length,
    zstd3: compress(buffer, { compressionLevel: 3 }).length,
    zstd19: compress(buffer, { compressionLevel: 19 }).length,
  }
}

export function addBaselines(a: BaselineSizes, b: BaselineSizes): BaselineSizes {
  return { raw: a.raw + b.raw, lz4: a.lz4 + b.lz4, zstd3: a.zstd3 + b.zstd3, zstd19: a.zstd19 + b.zstd19 }
}

import { compressSync, uncompressSync } from 'lz4-napi'
import { compress, decompress } from 'zstd-napi'
import { decodeSymbols, encodeSymbols } from '@qchain/huffman'
import { tensorsInFileOrder } from '@qchain/safetensors'
import { openSafetensorsFolder } from '@qchain/safetensors/node'
import { typedView } from '@qchain/tensor'
import { bytePlanes } from '../analyze/coded-stream.js'
import { measurement, sha256Of, timeMedian, type Measurement } from './measure.js'

/** A general-purpose compressor on one buffer, both ways. */
interface Compressor {
  name: string
  compress(bytes: Buffer): Uint8Array
  decompress(bytes: Uint8Array): Uint8Array
  /** One timed compression and no warm-up: zstd-19 compresses at a few MB/s. */
  slow?: boolean
}

// zstd-napi honours levels; @mongodb-js/zstd 1.2.x does not (every level gives level 3's output).
const zstd = (level: number, slow = false): Compressor => ({
  name: `zstd-${level}`,
  compress: (bytes) => compress(bytes, { compressionLevel: level }),
  decompress: (bytes) => decompress(bytes),
  slow,
})
const lz4: Compressor = { name: 'lz4', compress: (bytes) => compressSync(bytes), decompress: (bytes) => uncompressSync(bytes) }

export const COMPRESSORS = { 'zstd-3': zstd(3), 'zstd-19': zstd(19, true), lz4 } as const
export type CompressorName = keyof typeof COMPRESSORS

/** Compress and decompress rows of one compressor on a file's bytes, on one thread. */
export async function compressorRows(name: CompressorName, label: string, group: string, file: Uint8Array, runs: number): Promise<Measurement[]> {
  const compressor = COMPRESSORS[name]
  const input = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  const rawSha256 = sha256Of([file])
  const compressRuns = compressor.slow ? 1 : runs
  const packed = await timeMedian(compressRuns, () => compressor.compress(input), !compressor.slow)
  const unpacked = await timeMedian(runs, () => compressor.decompress(packed.result))
  const sizes = { inputBytes: file.length, outputBytes: packed.result.length }
  return [
    measurement({ method: name, operation: 'encode', name: `${label} ${name} compress`, group, runs: compressRuns, ...packed.timing, ...sizes, rawSha256, restoredSha256: sha256Of([compressor.decompress(packed.result)]) }),
    measurement({ method: name, operation: 'decode', name: `${label} ${name} decompress`, group, runs, ...unpacked.timing, inputBytes: packed.result.length, outputBytes: file.length, rawSha256, restoredSha256: sha256Of([unpacked.result]) }),
  ]
}

/**
 * The ZipNN method on every 16-bit tensor of a folder: byte planes split as the analyzer's
 * "Huffman alone (ZipNN split)" baseline splits them, each plane Huffman-coded; decode
 * interleaves the planes back into the 16-bit values.
 */
export async function zipnnRows(label: string, group: string, dir: string, runs: number): Promise<Measurement[]> {
  const tensors = await halfTensors(dir)
  const rawSha256 = sha256Of(tensors.map((bits) => new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength)))
  const encode = () =>
    tensors.map((bits) => {
      const { high, low } = bytePlanes(bits)
      return [encodeSymbols(high, { alphabetSize: 256 }), encodeSymbols(low, { alphabetSize: 256 })]
    })
  const decode = (coded: Uint8Array[][]) =>
    coded.map(([high, low]) => {
      const highs = decodeSymbols(high as Uint8Array)
      const lows = decodeSymbols(low as Uint8Array)
      const bits = new Uint16Array(highs.length)
      for (let i = 0; i < bits.length; i++) bits[i] = ((highs[i] as number) << 8) | (lows[i] as number)
      return new Uint8Array(bits.buffer)
    })
  const packed = await timeMedian(runs, encode)
  const unpacked = await timeMedian(runs, () => decode(packed.result))
  const raw = tensors.reduce((sum, bits) => sum + bits.byteLength, 0)
  const coded = packed.result.flat().reduce((sum, stream) => sum + stream.length, 0)
  return [
    measurement({ method: 'zipnn-split', operation: 'encode', name: `${label} zipnn-split encode`, group, runs, ...packed.timing, inputBytes: raw, outputBytes: coded, rawSha256, restoredSha256: sha256Of(decode(packed.result)) }),
    measurement({ method: 'zipnn-split', operation: 'decode', name: `${label} zipnn-split decode`, group, runs, ...unpacked.timing, inputBytes: coded, outputBytes: raw, rawSha256, restoredSha256: sha256Of(unpacked.result) }),
  ]
}

/** Reading every tensor of a folder with @qchain/safetensors, the file already in the page cache. */
export async function safetensorsReadRow(label: string, group: string, dir: string, file: Uint8Array, runs: number): Promise<Measurement> {
  const read = async () => {
    const folder = await openSafetensorsFolder(dir)
    try {
      const chunks: Uint8Array[] = []
      for (const { info } of folder.tensors.values()) chunks.push(await folder.read(info.name))
      return chunks
    } finally {
      await folder.close()
    }
  }
  const { timing, result } = await timeMedian(runs, read)
  // The stored bytes of the same tensors, cut from the file by its header, in the folder's order.
  const folder = await openSafetensorsFolder(dir)
  const names = [...folder.tensors.keys()]
  const header = [...folder.files.values()][0]?.header
  await folder.close()
  const byName = new Map(header ? tensorsInFileOrder(header).map((info) => [info.name, file.subarray(header.bytes.length + info.begin, header.bytes.length + info.end)]) : [])
  const bytes = result.reduce((sum, chunk) => sum + chunk.length, 0)
  return measurement({ method: 'safetensors', operation: 'decode', name: `${label} safetensors read`, group, runs, ...timing, inputBytes: bytes, outputBytes: bytes, rawSha256: sha256Of(names.map((name) => byName.get(name) ?? new Uint8Array())), restoredSha256: sha256Of(result) })
}

/** Every F16/BF16 tensor of a folder, as 16-bit values. */
async function halfTensors(dir: string): Promise<Uint16Array[]> {
  const folder = await openSafetensorsFolder(dir)
  try {
    const tensors: Uint16Array[] = []
    for (const { info } of folder.tensors.values()) if (info.dtype === 'F16' || info.dtype === 'BF16') tensors.push(typedView(await folder.read(info.name), 'F16') as Uint16Array)
    return tensors
  } finally {
    await folder.close()
  }
}

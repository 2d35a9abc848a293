import { f16ToF32 } from '@qchain/tensor'
import type { QuantBits } from './grid.js'

/** Integer codes of a [rows = out_features, cols = in_features] weight and how to read them. */
export interface QuantCodes {
  rows: number
  cols: number
  /** Row-major [rows, cols] codes in 0 .. 2^bits - 1, original column order. */
  codes: Uint8Array
  /** fp16 bit patterns, [groups, rows]. */
  scales: Uint16Array
  /** Zero points (the true ones, not GPTQ v1's zero - 1), [groups, rows]. */
  zeros: Uint16Array
  /** Group of each column, [cols]. */
  gIdx: Int32Array
}

export interface QuantizedLayer extends QuantCodes {
  bits: QuantBits
  groupSize: number
  sym: boolean
  /** Dequantized weight [rows, cols]; equal to dequantize(this) bit for bit. */
  weight: Float32Array
  /** GPTQ only: sum of (w - q)^2 / (2 Hinv[i,i]^2), the reference's reported error. */
  loss?: number
}

/**
 * w = scale * (q - zero) in float32. The fp16 scale has 11 significant bits and |q - zero| < 2^8,
 * so every product is exact: any correct dequantizer gets these exact values.
 */
export function dequantize(layer: QuantCodes): Float32Array {
  const { rows, cols, codes, zeros, gIdx } = layer
  const scales = f16ToF32(layer.scales)
  const out = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const at = (gIdx[j] as number) * rows + r
      out[r * cols + j] = (scales[at] as number) * ((codes[r * cols + j] as number) - (zeros[at] as number))
    }
  }
  return out
}

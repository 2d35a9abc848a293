import type { HalfFormat } from './half.js'

/** Elements per tensor the format allows; bounds what a header may ask a decoder to allocate. */
export const MAX_ELEMENTS = 2 ** 31 - 1

/** A 16-bit float weight matrix: fp16 or bf16 bit patterns, row-major [rows, cols]. */
export interface HalfMatrix {
  rows: number
  cols: number
  format: HalfFormat
  bits: Uint16Array
}

/** An LLM.int8 rowwise level (bitsandbytes): w ~ weight * scb[row] / 127. */
export interface Int8Level {
  rows: number
  cols: number
  /** Row-major [rows, cols]. */
  weight: Int8Array
  /** Per-row absmax, float32. */
  scb: Float32Array
}

/** A GPTQ level: w = scale * (code - zero) per (group, row); structurally a @qchain/gptq QuantizedLayer. */
export interface QuantLevel {
  rows: number
  cols: number
  /** Code width, 1..8: codes are below 2^bits. */
  bits: number
  /** Row-major [rows, cols] codes, original column order. */
  codes: Uint8Array
  /** fp16 bit patterns, [groups, rows]. */
  scales: Uint16Array
  /** True zero points, [groups, rows]. */
  zeros: Uint16Array
  /** Group of each column, [cols]. */
  gIdx: Int32Array
}

/**
 * Rows first..end-1 of a matrix, decoded apart from the others (one worker's share). A level
 * cut to a band keeps `rows` and its side information (SCB, scales, zeros, g_idx) whole; only
 * its codes or weights hold the band's rows alone.
 */
export interface RowBand {
  first: number
  end: number
}

export type Parent = Int8Level | QuantLevel
/** What a conditional stream restores: 16-bit weights, or a GPTQ level given a coarser one. */
export type Child = HalfMatrix | QuantLevel

export function isInt8Level(level: Parent | Child): level is Int8Level {
  return 'scb' in level
}

export function isHalfMatrix(level: Parent | Child): level is HalfMatrix {
  return 'format' in level
}

/** Everything `qchain chain` measured, as written to report.json. */
export interface ChainReport {
  name: string
  source: string
  container: string
  topology: string
  containerBytes: number
  /** Tensors identical in every level (and verbatim files), stored once. */
  sharedBytes: number
  /** File header, index, footer and alignment padding. */
  indexBytes: number
  levels: LevelReport[]
  pairs: PairReport[]
  /** The same levels stored by other methods, each level apart: bytes per level. */
  methods: MethodReport[]
  /** Seconds per stage. */
  times: Record<string, number>
  /** Peak resident memory of the whole run (the process's max RSS). */
  peakRssBytes: number
  /** The process's peak resident memory as each stage ended. */
  peakRssAfter: Record<string, number>
}

export interface LevelReport {
  level: string
  parent: string | null
  folder: string
  /** Bytes of the level's checkpoint files. */
  rawBytes: number
  /** Weights of the level's coded matrices (all parameters for a 16-bit base). */
  weights: number
  /** Bytes of the sections the level owns: what it adds to the container. */
  ownBytes: number
  bitsPerWeight: number
  /** Bytes a reader fetches to rebuild the level (its own, its ancestors', shared). */
  readBytes: number
  meanNll?: number
  perplexity?: number
}

export interface PairReport {
  level: string
  parent: string
  weights: number
  /** Our residual codec, every byte counted (payload, tables, side information). */
  residualBytes: number
  /** QStore's bucketed Huffman on the same pairs, every byte counted. */
  qstoreBytes: number
  /** Order-0 entropy of the residual given the codec's context, in bits. */
  boundBits: number
}

export interface MethodReport {
  method: string
  /** Bytes per level, in report level order. */
  levels: number[]
  total: number
}

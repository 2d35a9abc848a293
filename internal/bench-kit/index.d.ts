/** One benchmark row; MBps is uncompressed megabytes (1e6) per second, ratio is compressed / raw. */
export interface Measurement {
  name: string
  inputBytes: number
  outputBytes: number
  seconds: number
  MBps: number
  ratio: number
}
export declare function timeMedian<T>(runs: number, work: () => T | Promise<T>, clock?: 'wall' | 'cpu'): Promise<{ seconds: number; result: T }>
export declare function measurement(name: string, inputBytes: number, outputBytes: number, seconds: number, rawBytes: number, compressedBytes: number): Measurement
export declare function formatTable(rows: Measurement[]): string

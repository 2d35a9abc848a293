/**
 * Just enough of the WebAssembly binary format to assemble the decode kernel at run time, so
 * no toolchain or prebuilt .wasm file is needed. Spec: https://webassembly.github.io/spec/core/binary/
 */

export const Type = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c } as const

/** The opcodes the kernel uses. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  br: 0x0c,
  select: 0x1b,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Store: 0x36,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  i64Store: 0x37,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtU: 0x49,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i64Add: 0x7c,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrU: 0x88,
  f32Eq: 0x5b,
  f32Ne: 0x5c,
  f32Mul: 0x94,
  f64Gt: 0x64,
  f64Ge: 0x66,
  f64Ceil: 0x9b,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64Min: 0xa4,
  i32TruncF64S: 0xaa,
  f64ConvertI32S: 0xb7,
  i32WrapI64: 0xa7,
  f32ConvertI32S: 0xb2,
  i32ReinterpretF32: 0xbc,
  i64ExtendI32U: 0xad,
} as const

/** Block type of a block or loop that yields no value. */
export const VOID_BLOCK = 0x40

export function unsignedLeb(value: number): number[] {
  const bytes: number[] = []
  do {
    let byte = value & 0x7f
    value >>>= 7
    if (value !== 0) byte |= 0x80
    bytes.push(byte)
  } while (value !== 0)
  return bytes
}

export function signedLeb(value: number): number[] {
  const bytes: number[] = []
  for (;;) {
    const byte = value & 0x7f
    value >>= 7
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte)
      return bytes
    }
    bytes.push(byte | 0x80)
  }
}

/** A function: its parameter types, extra locals (all of one list), no results, and its code (without the final `end`). */
export interface WasmFunction {
  name: string
  params: number[]
  locals: number[]
  code: number[]
}

/**
 * A module of void functions over one memory of `pages` initial 64 KiB pages, exported as
 * "memory"; with `importMemory` the memory is imported as env.memory instead, so several small
 * modules can share one (browsers compile modules above 4 KB synchronously only off the main
 * thread).
 */
export function assembleModule(functions: WasmFunction[], pages: number, options: { importMemory?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const vector = (items: number[][]) => [...unsignedLeb(items.length), ...items.flat()]
  const section = (id: number, body: number[]) => [id, ...unsignedLeb(body.length), ...body]
  const name = (text: string) => vector([...text].map((c) => [c.charCodeAt(0)]))
  const types = vector(functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), 0]))
  const functionTypes = vector(functions.map((_, i) => unsignedLeb(i)))
  const limits = [0x00, ...unsignedLeb(pages)]
  const exported = functions.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(i)])
  const memorySections = options.importMemory
    ? { imports: section(2, vector([[...name('env'), ...name('memory'), 0x02, ...limits]])), memory: [], exports: vector(exported) }
    : { imports: [], memory: section(5, vector([limits])), exports: vector([[...name('memory'), 0x02, 0], ...exported]) }
  const bodies = vector(
    functions.map((f) => {
      const body = [...vector(f.locals.map((t) => [1, t])), ...f.code, Op.end]
      return [...unsignedLeb(body.length), ...body]
    }),
  )
  const { imports, memory, exports } = memorySections
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, types), ...imports, ...section(3, functionTypes), ...memory, ...section(7, exports), ...section(10, bodies)])
}

/** The little of the WebAssembly API the kernels use (the packages' lib settings have no DOM types). */
export interface WasmMemory {
  buffer: ArrayBuffer
  grow(pages: number): number
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports?: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> }
  Memory: new (descriptor: { initial: number }) => WasmMemory
}

/** The runtime's WebAssembly, or undefined where there is none (then the TypeScript paths run). */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly
}

/**
 * Just enough of the WebAssembly binary format to assemble the decode kernel at run time, so
 * no toolchain or prebuilt .wasm file is needed. Spec: https://webassembly.github.io/spec/core/binary/
 */

export const Type = { i32: 0x7f, i64: 0x7e } as const

/** The opcodes the kernel uses. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
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

/** A module of void functions over one exported memory named "memory" of `pages` initial 64 KiB pages. */
export function assembleModule(functions: WasmFunction[], pages: number): Uint8Array<ArrayBuffer> {
  const vector = (items: number[][]) => [...unsignedLeb(items.length), ...items.flat()]
  const section = (id: number, body: number[]) => [id, ...unsignedLeb(body.length), ...body]
  const name = (text: string) => vector([...text].map((c) => [c.charCodeAt(0)]))
  const types = vector(functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), 0]))
  const functionTypes = vector(functions.map((_, i) => unsignedLeb(i)))
  const memory = vector([[0x00, ...unsignedLeb(pages)]])
  const exports = vector([[...name('memory'), 0x02, 0], ...functions.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(i)])])
  const bodies = vector(
    functions.map((f) => {
      const body = [...vector(f.locals.map((t) => [1, t])), ...f.code, Op.end]
      return [...unsignedLeb(body.length), ...body]
    }),
  )
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, types), ...section(3, functionTypes), ...section(5, memory), ...section(7, exports), ...section(10, bodies)])
}

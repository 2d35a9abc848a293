import { Op, signedLeb, unsignedLeb } from './wasm-binary.js'

/** Appends WebAssembly instructions to a function body; each method returns the builder so code reads in order. */
export class CodeBuilder {
  readonly code: number[] = []

  op(...ops: number[]): this {
    this.code.push(...ops)
    return this
  }

  get(local: number): this {
    return this.op(Op.localGet, local)
  }

  set(local: number): this {
    return this.op(Op.localSet, local)
  }

  tee(local: number): this {
    return this.op(Op.localTee, local)
  }

  i32(value: number): this {
    return this.op(Op.i32Const, ...signedLeb(value))
  }

  /** A load or store with a constant byte offset; `align` is log2 of the natural alignment hint. */
  memory(op: number, offset = 0, align = 0): this {
    return this.op(op, align, ...unsignedLeb(offset))
  }
}

// AutoGPTQ packs b-bit codes into int32 words as one little-endian bit stream per lane: value k
// starts at bit b*k, so for 2, 4 and 8 bits word w holds values w*32/b .. and for 3 bits a value
// may straddle two words (bits 30-32 and 63-65 of every 96). Values are row-major
// [length, lanes]; word w of lane m is at words[w * lanes + m]. length * bits must be a
// multiple of 32 (the caller checks).

export function packBitstream(values: ArrayLike<number>, length: number, lanes: number, bits: number): Int32Array {
  const words = new Int32Array(((length * bits) / 32) * lanes)
  for (let k = 0; k < length; k++) {
    const word = (k * bits) >>> 5
    const shift = (k * bits) & 31
    const spill = shift + bits - 32
    for (let m = 0; m < lanes; m++) {
      const value = values[k * lanes + m] as number
      words[word * lanes + m] = (words[word * lanes + m] as number) | (value << shift)
      if (spill > 0) words[(word + 1) * lanes + m] = (words[(word + 1) * lanes + m] as number) | (value >>> (bits - spill))
    }
  }
  return words
}

export function unpackBitstream(words: Int32Array, length: number, lanes: number, bits: number): Uint8Array {
  const values = new Uint8Array(length * lanes)
  const mask = (1 << bits) - 1
  for (let k = 0; k < length; k++) {
    const word = (k * bits) >>> 5
    const shift = (k * bits) & 31
    const spill = shift + bits - 32
    for (let m = 0; m < lanes; m++) {
      let value = (words[word * lanes + m] as number) >>> shift
      if (spill > 0) value |= (words[(word + 1) * lanes + m] as number) << (bits - spill)
      values[k * lanes + m] = value & mask
    }
  }
  return values
}

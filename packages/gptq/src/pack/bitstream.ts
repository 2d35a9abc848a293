// AutoGPTQ packs b-bit codes into int32 words as one little-endian bit stream per lane: value k
// starts at bit b*k, so for 2, 4 and 8 bits word w holds values w*32/b .. and for 3 bits a value
// may straddle two words (bits 30-32 and 63-65 of every 96). Values are lane-major
// [lanes, length] (a layer's codes are [out, in], lane o being output row o); word w of lane m
// is at words[w * lanes + m]. length * bits must be a multiple of 32 (the caller checks).
// Each lane is packed or unpacked in one pass: its values are read or written in order, and
// its words, one per row of the word table, stay in cache from lane to lane.

/** Whether typed arrays read memory little-endian, as the packed words are laid out. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1

/** 8- and 4-bit codes in 4-byte aligned bytes can be read and written four bytes at a time. */
function byWords(values: Uint8Array | Uint16Array, bits: number): boolean {
  return LITTLE_ENDIAN && (bits === 8 || bits === 4) && values instanceof Uint8Array && values.byteOffset % 4 === 0
}

export function packLanes(values: Uint8Array | Uint16Array, lanes: number, length: number, bits: number): Int32Array {
  const words = new Int32Array(((length * bits) / 32) * lanes)
  if (byWords(values, bits)) {
    packByWords(new Uint32Array(values.buffer, values.byteOffset, (lanes * length) / 4), words, lanes, bits)
    return words
  }
  const perWord = 32 / bits
  for (let m = 0; m < lanes; m++) {
    const start = m * length
    if (Number.isInteger(perWord)) {
      // No value straddles two words: each word is built whole.
      for (let w = 0, k = start; k < start + length; w += lanes) {
        let word = 0
        for (let shift = 0; shift < 32; shift += bits) word |= (values[k++] as number) << shift
        words[w + m] = word
      }
      continue
    }
    for (let k = 0; k < length; k++) {
      const value = values[start + k] as number
      const at = ((k * bits) >>> 5) * lanes + m
      const shift = (k * bits) & 31
      words[at] = (words[at] as number) | (value << shift)
      if (shift + bits > 32) words[at + lanes] = (words[at + lanes] as number) | (value >>> (32 - shift))
    }
  }
  return words
}

export function unpackLanes(words: Int32Array, lanes: number, length: number, bits: number): Uint8Array {
  const values = new Uint8Array(lanes * length)
  if (byWords(values, bits)) {
    unpackByWords(words, new Uint32Array(values.buffer), lanes, bits)
    return values
  }
  const mask = (1 << bits) - 1
  const perWord = 32 / bits
  for (let m = 0; m < lanes; m++) {
    const start = m * length
    if (Number.isInteger(perWord)) {
      for (let w = 0, k = start; k < start + length; w += lanes) {
        const word = words[w + m] as number
        for (let shift = 0; shift < 32; shift += bits) values[k++] = (word >>> shift) & mask
      }
      continue
    }
    for (let k = 0; k < length; k++) {
      const at = ((k * bits) >>> 5) * lanes + m
      const shift = (k * bits) & 31
      let value = (words[at] as number) >>> shift
      if (shift + bits > 32) value |= (words[at + lanes] as number) << (32 - shift)
      values[start + k] = value & mask
    }
  }
  return values
}

/** 8-bit codes: a word is four bytes of its lane as they are; 4-bit: eight, a nibble each. */
function packByWords(bytes: Uint32Array, words: Int32Array, lanes: number, bits: number): void {
  for (let m = 0, at = 0; m < lanes; m++) {
    for (let w = m; w < words.length; w += lanes) {
      if (bits === 8) {
        words[w] = bytes[at++] as number
      } else {
        const low = bytes[at++] as number
        words[w] = nibbles(low) | (nibbles(bytes[at++] as number) << 16)
      }
    }
  }
}

function unpackByWords(words: Int32Array, bytes: Uint32Array, lanes: number, bits: number): void {
  for (let m = 0, at = 0; m < lanes; m++) {
    for (let w = m; w < words.length; w += lanes) {
      const word = words[w] as number
      if (bits === 8) {
        bytes[at++] = word
      } else {
        bytes[at++] = spread(word & 0xffff)
        bytes[at++] = spread(word >>> 16)
      }
    }
  }
}

/** Four bytes below 16 (little-endian in `x`) as four nibbles, the first lowest. */
function nibbles(x: number): number {
  const pairs = (x | (x >>> 4)) & 0x00ff00ff
  return (pairs | (pairs >>> 8)) & 0xffff
}

/** The inverse of nibbles: four nibbles as four bytes. */
function spread(x: number): number {
  const pairs = (x | (x << 8)) & 0x00ff00ff
  return (pairs | (pairs << 4)) & 0x0f0f0f0f
}

#include "huffman-encode.h"
#include "memory.h"

/* Counter lanes for bytes, so runs of one symbol do not wait on their own previous increment. */
#define LANES 4

static void histogram8(const uint8_t *restrict symbols, size_t count, uint32_t *restrict counts) {
  uint32_t lanes[LANES][256] = {{0}};
  size_t i = 0;
  for (; i + LANES <= count; i += LANES)
    for (int k = 0; k < LANES; k++) lanes[k][symbols[i + k]]++;
  for (; i < count; i++) lanes[0][symbols[i]]++;
  for (int s = 0; s < 256; s++) counts[s] += lanes[0][s] + lanes[1][s] + lanes[2][s] + lanes[3][s];
}

CPU_VARIANTS void huffman_histogram(const void *symbols, int width, size_t count, uint32_t *counts) {
  if (width == 1) {
    histogram8(symbols, count, counts);
    return;
  }
  const uint16_t *wide = symbols;
  for (size_t i = 0; i < count; i++) counts[wide[i]]++;
}

/* Adds symbol i's code to the accumulator. */
#define ADD_CODE(i)                                                  \
  do {                                                               \
    uint32_t code = codes[width == 1 ? narrow[i] : wide[i]];         \
    acc |= (uint64_t)(code >> 4) << bits;                            \
    bits += code & 15;                                               \
  } while (0)

/* Stores the accumulator and keeps its partial byte. */
#define FLUSH()            \
  do {                     \
    store64(p, acc);       \
    p += bits >> 3;        \
    acc >>= bits & ~7u;    \
    bits &= 7;             \
  } while (0)

static inline __attribute__((always_inline)) size_t stream_loop(const void *symbols, int width, size_t count, const uint32_t *restrict codes, uint8_t *restrict out) {
  const uint8_t *narrow = symbols;
  const uint16_t *wide = symbols;
  uint8_t *p = out;
  uint64_t acc = 0;
  uint32_t bits = 0;
  size_t i = 0;
  /* four codes a step, then one at a time, as the WebAssembly writer steps */
  for (; i + 4 <= count; i += 4) {
    ADD_CODE(i);
    ADD_CODE(i + 1);
    ADD_CODE(i + 2);
    ADD_CODE(i + 3);
    FLUSH();
  }
  for (; i < count; i++) {
    ADD_CODE(i);
    FLUSH();
  }
  return (size_t)(p - out) + (bits != 0);
}

CPU_VARIANTS size_t huffman_stream(const void *symbols, int width, size_t count, const uint32_t *codes, uint8_t *out) {
  return width == 1 ? stream_loop(symbols, 1, count, codes, out) : stream_loop(symbols, 2, count, codes, out);
}

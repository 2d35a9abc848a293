#include "huffman-prefix.h"
#include <string.h>
#include "memory.h"

#define TABLE_MASK ((1u << HUFFMAN_TABLE_BITS) - 1)
/* Symbols per stream decoded from one 8-byte load: at least 57 bits are valid, four codes take at most 48. */
#define PER_ROUND 4

static inline uint64_t peek(const uint8_t *src, uint32_t position) { return load64(src + (position >> 3)) >> (position & 7); }

static inline __attribute__((always_inline)) size_t rounds_loop(HuffmanPrefix *call, int width) {
  const uint8_t *restrict src = call->src;
  const uint8_t *restrict lengths = call->lengths;
  /* the output never overlaps the streams or the tables */
  uint8_t *restrict out8 = call->out;
  uint16_t *restrict out16 = call->out;
  const uint8_t *restrict symbols8 = call->symbols;
  const uint16_t *restrict symbols16 = call->symbols;
  uint32_t pos[HUFFMAN_STREAMS];
  memcpy(pos, call->positions, sizeof pos);
  /* a load at bit p reads bytes p / 8 .. p / 8 + 7: p may reach last */
  uint64_t last = 8 * (uint64_t)call->src_bytes - 64;
  size_t done = 0;
  for (;;) {
    uint32_t furthest = pos[0];
    for (int k = 1; k < HUFFMAN_STREAMS; k++) furthest = pos[k] > furthest ? pos[k] : furthest;
    if (call->src_bytes < 8 || furthest > last) break;
    /* rounds in which no stream can pass `last`: each advances at most PER_ROUND * 12 bits a round */
    size_t rounds = (size_t)((last - furthest) / (PER_ROUND * HUFFMAN_TABLE_BITS)) + 1;
    size_t room = (call->quarter - done) / PER_ROUND;
    if (room < rounds) rounds = room;
    if (rounds == 0) break;
    for (size_t r = 0; r < rounds; r++, done += PER_ROUND) {
      for (int k = 0; k < HUFFMAN_STREAMS; k++) {
        uint64_t word = peek(src, pos[k]);
        size_t at = (size_t)k * call->quarter + done;
        for (int s = 0; s < PER_ROUND; s++) {
          uint32_t index = (uint32_t)word & TABLE_MASK;
          uint32_t length = lengths[index];
          if (width == 1) out8[at + s] = symbols8[index];
          else out16[at + s] = symbols16[index];
          word >>= length;
          pos[k] += length;
        }
      }
    }
  }
  memcpy(call->positions, pos, sizeof pos);
  return done;
}

CPU_VARIANTS size_t huffman_prefix(HuffmanPrefix *call) { return call->width == 1 ? rounds_loop(call, 1) : rounds_loop(call, 2); }

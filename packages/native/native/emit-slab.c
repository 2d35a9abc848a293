#include "encode.h"

#define LANES 4
#define CONTEXT_IDS 64
#define ALPHABET 256
#define ESCAPE 255
#define LONGEST_CODE 11
/* An element's bits in its lane: an 11-bit code and a 16-bit escape, or 15 low bits at most. */
#define MOST_BITS 27

CPU_VARIANTS int emit_slab(const Memory *m, const EmitCall *c) {
  if (c->to < c->from || c->child_bits > 16) return -1;
  uint64_t n = c->to - c->from;
  if (!inside(m, c->symbols, c->to) || !inside(m, c->contexts, 2 * (uint64_t)c->to) || !inside(m, c->state, 8 + 4 * LANES)) return -1;
  /* codes of every context id a 6-bit field can name (those of unused contexts are never read on valid input) */
  if (!inside(m, c->codes, 4 * CONTEXT_IDS * ALPHABET)) return -1;
  uint8_t *base = m->base;
  uint8_t *state = base + c->state;
  uint32_t escape_at = load32(state), low_pos = load32(state + 4);
  if (!inside(m, c->escapes, 2 * (escape_at + n)) || !inside(m, c->low, ((uint64_t)low_pos + 15 * n) / 8 + 8)) return -1;
  if ((uint64_t)c->lane_bytes < (MOST_BITS * ((n + LANES - 1) / LANES) + 7) / 8 + 8 || !inside(m, c->out, (uint64_t)LANES * c->lane_bytes)) return -1;
  const uint8_t *symbols = base + c->symbols;
  const uint8_t *contexts = base + c->contexts;
  const uint8_t *codes = base + c->codes;
  const uint8_t *escapes = base + c->escapes;
  const uint8_t *low = base + c->low;
  uint8_t *at[LANES];
  uint32_t filled[LANES] = {0};
  uint64_t pending[LANES] = {0};
  for (int x = 0; x < LANES; x++) at[x] = base + c->out + x * c->lane_bytes;
  /* elements in order (the low bits and escapes are consumed in element order), element i in lane (i - from) mod 4 */
  for (uint32_t i = c->from, x = 0; i < c->to; i++, x = (x + 1) & (LANES - 1)) {
    uint32_t context = load16(contexts + 2 * i);
    uint32_t symbol = symbols[i];
    uint32_t code = load32(codes + 4 * ((context & (CONTEXT_IDS - 1)) * ALPHABET + symbol));
    uint32_t k, raw;
    if (symbol == ESCAPE) {
      raw = load16(escapes + 2 * escape_at++);
      k = c->child_bits;
    } else {
      k = (context >> 6) & 15;
      raw = (uint32_t)(load64(low + (low_pos >> 3)) >> (low_pos & 7)) & ((1u << k) - 1);
      low_pos += k;
    }
    /* a valid table's codes are at most 11 bits: the bound keeps any table's lanes within their room */
    uint32_t length = code >> 16 > LONGEST_CODE ? LONGEST_CODE : code >> 16;
    /* the code, then the k bits after it: one append of at most 27 bits */
    pending[x] |= (uint64_t)((raw << length) | (code & 0xffff)) << filled[x];
    filled[x] += length + k;
    store64(at[x], pending[x]);
    at[x] += filled[x] >> 3;
    pending[x] >>= filled[x] & ~7u;
    filled[x] &= 7;
  }
  store32(state, escape_at);
  store32(state + 4, low_pos);
  /* each lane's end, counting the byte of its pending bits (stored with its last element) */
  for (int x = 0; x < LANES; x++) store32(state + 8 + 4 * x, (uint32_t)(at[x] - base) + (filled[x] != 0));
  return 0;
}

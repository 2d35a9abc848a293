#include "encode.h"

#define LANES 4
#define CONTEXT_IDS 64
#define ALPHABET 256
#define ESCAPE 255
#define LONGEST_CODE 11
/* An element's bits in its lane: an 11-bit code and a 16-bit escape, or 15 low bits at most. */
#define MOST_BITS 27

/* One lane's writer: the next byte's address, and fewer than 8 pending bits. */
typedef struct {
  uint8_t *at;
  uint32_t filled;
  uint64_t pending;
} Lane;

/* An element's bits for its lane, the code then its escaped integer or k low bits, as (bits, count) in one 64-bit value:
 * count in the top byte. */
static inline uint64_t element(uint32_t symbol, uint32_t context, const uint8_t *codes, const uint8_t *escapes, uint32_t *escape_at, const uint8_t *low, uint32_t *low_pos,
                               uint32_t child_bits) {
  uint32_t code = load32(codes + 4 * ((context & (CONTEXT_IDS - 1)) * ALPHABET + symbol));
  uint32_t k, raw;
  if (__builtin_expect(symbol == ESCAPE, 0)) {
    raw = load16(escapes + 2 * (*escape_at)++);
    k = child_bits;
  } else {
    k = (context >> 6) & 15;
    raw = (uint32_t)(load64(low + (*low_pos >> 3)) >> (*low_pos & 7)) & ((1u << k) - 1);
    *low_pos += k;
  }
  /* a valid table's codes are at most 11 bits: the bound keeps any table's lanes within their room */
  uint32_t length = code >> 16 > LONGEST_CODE ? LONGEST_CODE : code >> 16;
  return ((uint64_t)(length + k) << 56) | (raw << length) | (code & 0xffff);
}

/* Appends an element's bits (element()) to its lane: stores 8 bytes, keeps the partial byte. */
static inline void append(Lane *lane, uint64_t bits) {
  lane->pending |= (bits & 0xffffffffu) << lane->filled;
  lane->filled += (uint32_t)(bits >> 56);
  store64(lane->at, lane->pending);
  lane->at += lane->filled >> 3;
  lane->pending >>= lane->filled & ~7u;
  lane->filled &= 7;
}

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
  Lane lanes[LANES];
  for (int x = 0; x < LANES; x++) lanes[x] = (Lane){base + c->out + x * c->lane_bytes, 0, 0};
  Lane l0 = lanes[0], l1 = lanes[1], l2 = lanes[2], l3 = lanes[3];
  /* elements in order (the low bits and escapes are consumed in element order), element i in lane (i - from) mod 4 */
#define ELEMENT(i, lane) append(&lane, element(symbols[i], load16(contexts + 2 * (i)), codes, escapes, &escape_at, low, &low_pos, c->child_bits))
  uint32_t i = c->from;
  for (; i + LANES <= c->to; i += LANES) {
    ELEMENT(i, l0);
    ELEMENT(i + 1, l1);
    ELEMENT(i + 2, l2);
    ELEMENT(i + 3, l3);
  }
  lanes[0] = l0, lanes[1] = l1, lanes[2] = l2, lanes[3] = l3;
  for (uint32_t x = 0; i < c->to; i++, x++) ELEMENT(i, lanes[x]);
#undef ELEMENT
  store32(state, escape_at);
  store32(state + 4, low_pos);
  /* each lane's end, counting the byte of its pending bits (stored with its last element) */
  for (int x = 0; x < LANES; x++) store32(state + 8 + 4 * x, (uint32_t)(lanes[x].at - base) + (lanes[x].filled != 0));
  return 0;
}

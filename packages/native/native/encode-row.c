#include "encode.h"

#define CONTEXT_IDS 64
#define ALPHABET 256
#define ESCAPE 255
/* The most low bits an element writes: k has 4 bits (conditional's contextOf keeps it at 11 or less). */
#define MOST_LOW_BITS 15

int encode_bind(EncodeMemory *m, uint8_t *base, size_t length, const int32_t *layout) {
  if (!unsigned_layout(layout, 6)) return -1;
  m->memory = (Memory){base, length};
  m->table = (uint32_t)layout[0];
  m->column_base = (uint32_t)layout[1];
  m->cols = (uint32_t)layout[2];
  m->histograms = (uint32_t)layout[3];
  m->state = (uint32_t)layout[4];
  m->contexts = (uint32_t)layout[5];
  const Memory *memory = &m->memory;
  if ((m->histograms | m->state) & 3 || m->contexts > CONTEXT_IDS) return -1;
  /* the second lane, and room for any 6-bit context id there */
  uint64_t histogram_bytes = 4 * ALPHABET * ((uint64_t)m->contexts + CONTEXT_IDS);
  if (!inside(memory, m->histograms, histogram_bytes) || !inside(memory, m->state, 16)) return -1;
  return row_table_fits(memory, m->table, m->column_base, m->cols) ? 0 : -1;
}

/* toOrdered: an order-preserving integer of a 16-bit float pattern. */
static inline uint32_t to_ordered(uint32_t bits) { return bits ^ 0x8000 ^ ((bits >> 15) * 0x7fff); }

static inline __attribute__((always_inline)) void row_loop(const EncodeMemory *m, const uint8_t *values, const uint8_t *codes, uint32_t count, uint8_t *symbols, uint8_t *contexts,
                                                           uint8_t *escapes, int indexing) {
  uint8_t *base = m->memory.base;
  const int32_t *table = (const int32_t *)(base + m->table);
  const int32_t *column_base = (const int32_t *)(base + m->column_base);
  /* two lanes of counts, by the element's parity, so runs of one symbol wait on every other increment only */
  uint32_t *lanes[2] = {(uint32_t *)(base + m->histograms), (uint32_t *)(base + m->histograms) + m->contexts * ALPHABET};
  uint8_t *state = base + m->state;
  uint8_t *escape = escapes + 2 * load32(state);
  uint8_t *low = base + load32(state + 4);
  uint32_t bits = load32(state + 8);
  uint64_t pending = load32(state + 12);
  for (uint32_t j = 0; j < count; j++) {
    uint32_t entry = (uint32_t)table[(indexing == INDEX_PARENT ? 0 : column_base[j]) + codes[j]];
    uint32_t value = indexing == INDEX_CODES ? values[j] : to_ordered(load16(values + 2 * j));
    uint32_t k = (entry >> 22) & MOST_LOW_BITS;
    int32_t residual = (int32_t)(value - (entry & 0xffff));
    int32_t high = residual >> k;
    uint32_t symbol = ((uint32_t)high << 1) ^ (uint32_t)(high >> 31);
    if (__builtin_expect(symbol < ESCAPE, 1)) {
      /* the k low bits, LSB first; then the whole bytes stored and the pending bits kept */
      pending |= (uint64_t)((uint32_t)residual & ((1u << k) - 1)) << bits;
      bits += k;
      store64(low, pending);
      low += bits >> 3;
      pending >>= bits & ~7u;
      bits &= 7;
    } else {
      store16(escape, value);
      escape += 2;
      symbol = ESCAPE;
    }
    symbols[j] = (uint8_t)symbol;
    store16(contexts + 2 * j, entry >> 16);
    lanes[j & 1][((entry >> 8) & ((CONTEXT_IDS - 1) << 8)) | symbol]++;
  }
  store32(state, (uint32_t)(escape - escapes) / 2);
  store32(state + 4, (uint32_t)(low - base));
  store32(state + 8, bits);
  store32(state + 12, (uint32_t)pending);
}

CPU_VARIANTS int encode_row(const EncodeMemory *m, uint32_t values, uint32_t parent, uint32_t count, uint32_t symbols, uint32_t contexts, uint32_t escapes, int indexing) {
  const Memory *memory = &m->memory;
  uint32_t width = indexing == INDEX_CODES ? 1 : 2;
  if (indexing < INDEX_PARENT || indexing > INDEX_CODES || count > m->cols) return -1;
  if (!inside(memory, values, (uint64_t)width * count) || !inside(memory, parent, count) || !inside(memory, symbols, count) || !inside(memory, contexts, 2 * (uint64_t)count)) return -1;
  uint8_t *state = memory->base + m->state;
  if (!inside(memory, escapes, 2 * ((uint64_t)load32(state) + count))) return -1;
  if (!inside(memory, load32(state + 4), (uint64_t)MOST_LOW_BITS * count / 8 + 16) || load32(state + 8) > 7) return -1;
  uint8_t *base = memory->base;
  if (indexing == INDEX_PARENT) row_loop(m, base + values, base + parent, count, base + symbols, base + contexts, base + escapes, INDEX_PARENT);
  else if (indexing == INDEX_BOTH) row_loop(m, base + values, base + parent, count, base + symbols, base + contexts, base + escapes, INDEX_BOTH);
  else row_loop(m, base + values, base + parent, count, base + symbols, base + contexts, base + escapes, INDEX_CODES);
  return 0;
}

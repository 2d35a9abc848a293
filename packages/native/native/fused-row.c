#include "fused-row.h"

#define LANES 4
#define PEEK_BITS 11
#define PEEK_MASK ((1u << PEEK_BITS) - 1)
#define TABLES 64
#define ESCAPE_FLAG 64
#define UNUSED_VALUE_BIT 0x10000u
/* An element takes at most an 11-bit code and a 16-bit escape. */
#define MOST_BITS 27

int fused_bind(FusedMemory *m, uint8_t *base, size_t length, const int32_t *layout, uint8_t *output, size_t output_length) {
  if (!unsigned_layout(layout, 7)) return -1;
  m->memory = (Memory){base, length};
  m->output = output;
  m->output_length = output_length;
  m->positions = (uint32_t)layout[0];
  m->seen = (uint32_t)layout[1];
  m->escape_bits = (uint32_t)layout[2];
  m->table = (uint32_t)layout[3];
  m->lookup = (uint32_t)layout[4];
  m->column_base = (uint32_t)layout[5];
  m->cols = (uint32_t)layout[6];
  const Memory *memory = &m->memory;
  if (!inside(memory, m->positions, 4 * LANES) || !inside(memory, m->seen, 4) || !inside(memory, m->escape_bits, 4)) return -1;
  if (m->lookup & 3 || !inside(memory, m->lookup, (uint64_t)TABLES << (PEEK_BITS + 1))) return -1;
  return row_table_fits(memory, m->table, m->column_base, m->cols) ? 0 : -1;
}

/* What an element needs of its row entry: where its decode lookup starts, its prediction and its count k of low bits. */
typedef struct {
  const int16_t *lookup;
  uint32_t prediction;
  uint32_t k;
} Entry;

static inline Entry entry_of(const int16_t *lookups, uint32_t entry) {
  return (Entry){lookups + (((entry >> 16) & (TABLES - 1)) << PEEK_BITS), entry & 0xffff, (entry >> 22) & 31};
}

/* A row table indexed by parent code alone, taken apart once per row (structure of arrays: scaled index loads). */
typedef struct {
  const int16_t *lookup[256];
  uint32_t prediction[256];
  uint32_t k[256];
} WideEntries;

static inline uint64_t peek(const uint8_t *base, uint32_t pos) { return load64(base + (pos >> 3)) >> (pos & 7); }

/* One element from the stream bits in `window` (at least 27 of them): its integer, and in *used the bits it took
 * (conditional's fused-rows.ts). */
static inline uint32_t element(Entry e, uint64_t window, uint32_t escape_bits, uint32_t *used) {
  int32_t decoded = e.lookup[(uint32_t)window & PEEK_MASK];
  uint32_t length = (uint32_t)decoded & 15;
  uint32_t high = (uint32_t)(decoded >> 8);
  uint32_t rest = (uint32_t)(window >> length);
  if (__builtin_expect(decoded & ESCAPE_FLAG, 0)) {
    *used = length + escape_bits;
    return (rest & ((1u << escape_bits) - 1)) | (high & UNUSED_VALUE_BIT);
  }
  *used = length + e.k;
  return e.prediction + (high << e.k) + (rest & ((1u << e.k) - 1));
}

/* plain_element puts the lookup's low byte at bit FLAG_SHIFT, its ESCAPE_FLAG at bit 31: above every integer a plain
 * element makes (prediction < 2^16, high part * 2^k and low bits < 2^19 for k <= 11) unless it is negative, which sets
 * bit 31 as well. So one OR per row tells the escapes, and its bits under FLAG_SHIFT the integers' OR. */
#define FLAG_SHIFT (31 - 6)
#define PLAIN_VALUE ((1u << FLAG_SHIFT) - 1)

/* element() without the escape: its integer with the lookup's low byte on top (FLAG_SHIFT). */
static inline uint32_t plain_element(Entry e, uint64_t window, uint32_t *used) {
  int32_t decoded = e.lookup[(uint32_t)window & PEEK_MASK];
  uint32_t length = (uint32_t)decoded & 15;
  *used = length + e.k;
  uint32_t value = e.prediction + ((uint32_t)(decoded >> 8) << e.k) + ((uint32_t)(window >> length) & ((1u << e.k) - 1));
  return value | ((uint32_t)decoded << FLAG_SHIFT);
}

static inline void store(uint8_t *out, uint32_t value, int indexing) {
  if (indexing == INDEX_CODES) *out = (uint8_t)value;
  else store16(out, value);
}

/* fromOrdered over a row of 16-bit integers: v ^ (v >= 0x8000 ? 0x8000 : 0xffff), a loop the compiler vectorizes. */
static void from_ordered(uint16_t *values, uint32_t count) {
  for (uint32_t j = 0; j < count; j++) {
    uint16_t v = values[j];
    values[j] = (uint16_t)(~v ^ ((uint16_t)((int16_t)v >> 15) & 0x7fff));
  }
}

/* The inputs of a row's loops. */
typedef struct {
  const WideEntries *wide;
  const int16_t *lookups;
  const int32_t *table;
  const int32_t *column_base;
  const uint8_t *codes;
  const uint8_t *base;
  uint8_t *out;
  uint32_t count;
  uint32_t escape_bits;
} Row;

#define ENTRY(j) (indexing == INDEX_PARENT ? (Entry){r->wide->lookup[codes[j]], r->wide->prediction[codes[j]], r->wide->k[codes[j]]} \
                                           : entry_of(r->lookups, (uint32_t)r->table[column_base[j] + codes[j]]))

/* The row with every element taken as no escape, two elements of a lane per 64-bit peek (at most 22 bits each without
 * escapes); returns the OR of its integers with the escape flags at bit 31 (set: redo the row with careful_row; a negative
 * integer sets it too, which the careful loop then finds out of range). */
static inline __attribute__((always_inline)) uint32_t plain_row(const Row *r, uint32_t *lanes, int indexing) {
  const uint8_t *codes = r->codes;
  const int32_t *column_base = r->column_base;
  uint8_t *out = r->out;
  const uint32_t width = indexing == INDEX_CODES ? 1 : 2;
  uint32_t ors = 0;
  uint32_t p0 = lanes[0], p1 = lanes[1], p2 = lanes[2], p3 = lanes[3];
  const uint8_t *end = codes + (r->count & ~(2u * LANES - 1));
#define PAIR(x, pos)                                                            \
  do {                                                                          \
    uint64_t window = peek(r->base, pos);                                       \
    uint32_t first, second;                                                     \
    uint32_t a = plain_element(ENTRY(x), window, &first);              \
    uint32_t b = plain_element(ENTRY((x) + LANES), window >> first, &second); \
    pos += first + second;                                                      \
    ors |= a | b;                                                               \
    store(out + width * (x), a, indexing);                                      \
    store(out + width * ((x) + LANES), b, indexing);                            \
  } while (0)
  for (; codes < end; codes += 2 * LANES, column_base += 2 * LANES, out += 2 * LANES * width) {
    PAIR(0, p0);
    PAIR(1, p1);
    PAIR(2, p2);
    PAIR(3, p3);
  }
#undef PAIR
  lanes[0] = p0, lanes[1] = p1, lanes[2] = p2, lanes[3] = p3;
  for (uint32_t i = 0; codes < r->codes + r->count; codes++, column_base++, out += width, i++) {
    uint32_t used;
    uint32_t value = plain_element(ENTRY(0), peek(r->base, lanes[i & (LANES - 1)]), &used);
    lanes[i & (LANES - 1)] += used;
    ors |= value;
    store(out, value, indexing);
  }
  return ors;
}

/* The row element by element, escapes included (the reference loop's steps). */
static inline __attribute__((always_inline)) void careful_row(const Row *r, uint32_t *lanes, uint32_t *seen, int indexing) {
  const uint8_t *codes = r->codes;
  const int32_t *column_base = r->column_base;
  const uint32_t width = indexing == INDEX_CODES ? 1 : 2;
  for (uint32_t j = 0; j < r->count; j++) {
    uint32_t used;
    uint32_t value = element(ENTRY(j), peek(r->base, lanes[j & (LANES - 1)]), r->escape_bits, &used);
    lanes[j & (LANES - 1)] += used;
    *seen |= value;
    store(r->out + width * j, value, indexing);
  }
}
#undef ENTRY

static inline __attribute__((always_inline)) void row_loop(const FusedMemory *m, Row *r, uint32_t *lanes, int indexing) {
  WideEntries wide;
  if (indexing == INDEX_PARENT) {
    for (int code = 0; code < 256; code++) {
      Entry e = entry_of(r->lookups, (uint32_t)r->table[code]);
      wide.lookup[code] = e.lookup, wide.prediction[code] = e.prediction, wide.k[code] = e.k;
    }
    r->wide = &wide;
  }
  uint32_t seen = load32(m->memory.base + m->seen);
  uint32_t start[LANES];
  memcpy(start, lanes, sizeof start);
  uint32_t plain = plain_row(r, lanes, indexing);
  if (plain >> 31) {
    memcpy(lanes, start, sizeof start);
    careful_row(r, lanes, &seen, indexing);
  } else {
    seen |= plain & PLAIN_VALUE;
  }
  if (indexing != INDEX_CODES) from_ordered((uint16_t *)r->out, r->count);
  store32(m->memory.base + m->seen, seen);
}

CPU_VARIANTS int fused_row(const FusedMemory *m, uint32_t out, uint32_t parent, uint32_t count, uint32_t phase, int indexing) {
  uint32_t width = indexing == INDEX_CODES ? 1 : 2;
  if (indexing < INDEX_PARENT || indexing > INDEX_CODES || count > m->cols) return -1;
  if ((uint64_t)out + (uint64_t)width * count > m->output_length || !inside(&m->memory, parent, count)) return -1;
  if (load32(m->memory.base + m->escape_bits) > 16) return -1;
  /* lanes[x]: the position of the lane that element x of each step reads */
  uint32_t lanes[LANES];
  uint64_t reach = (uint64_t)MOST_BITS * ((count + LANES - 1) / LANES) + 64;
  for (int x = 0; x < LANES; x++) {
    lanes[x] = load32(m->memory.base + m->positions + 4 * ((phase + x) & (LANES - 1)));
    if ((uint64_t)lanes[x] + reach > 8 * (uint64_t)m->memory.length) return -1;
  }
  Row r = {NULL, (const int16_t *)(m->memory.base + m->lookup), (const int32_t *)(m->memory.base + m->table), (const int32_t *)(m->memory.base + m->column_base),
           m->memory.base + parent, m->memory.base, m->output + out, count, load32(m->memory.base + m->escape_bits)};
  if (indexing == INDEX_PARENT) row_loop(m, &r, lanes, INDEX_PARENT);
  else if (indexing == INDEX_BOTH) row_loop(m, &r, lanes, INDEX_BOTH);
  else row_loop(m, &r, lanes, INDEX_CODES);
  for (int x = 0; x < LANES; x++) store32(m->memory.base + m->positions + 4 * ((phase + x) & (LANES - 1)), lanes[x]);
  return 0;
}

#ifndef QCHAIN_MEMORY_H
#define QCHAIN_MEMORY_H
/* What every kernel shares: a memory (a WebAssembly memory's bytes), unaligned little-endian loads and stores, the
 * bounds check, and the CPU variants. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
  uint8_t *base;
  size_t length;
} Memory;

/* Whether bytes start..start+bytes-1 lie inside the memory. */
static inline int inside(const Memory *m, uint64_t start, uint64_t bytes) { return start + bytes <= m->length; }

static inline uint32_t load16(const uint8_t *at) {
  uint16_t value;
  memcpy(&value, at, 2);
  return value;
}

static inline uint32_t load32(const uint8_t *at) {
  uint32_t value;
  memcpy(&value, at, 4);
  return value;
}

static inline uint64_t load64(const uint8_t *at) {
  uint64_t value;
  memcpy(&value, at, 8);
  return value;
}

static inline void store16(uint8_t *at, uint32_t value) { memcpy(at, &(uint16_t){(uint16_t)value}, 2); }
static inline void store32(uint8_t *at, uint32_t value) { memcpy(at, &value, 4); }
static inline void store64(uint8_t *at, uint64_t value) { memcpy(at, &value, 8); }

/* How a row's table is indexed (conditional's TableIndexing): by parent code, by column group and parent code (16-bit
 * children), or by column group and parent code with 8-bit codes as the child. */
enum { INDEX_PARENT = 0, INDEX_BOTH = 1, INDEX_CODES = 2 };

/* Whether a layout's `count` addresses and counts are all non-negative. */
static inline int unsigned_layout(const int32_t *layout, int count) {
  for (int i = 0; i < count; i++)
    if (layout[i] < 0) return 0;
  return 1;
}

/* Whether `cols` column bases (int32) at `column_base` lie inside the memory, and every row entry they index with a
 * parent code (its largest base plus 255) inside the table at `table`. */
static inline int row_table_fits(const Memory *m, uint32_t table, uint32_t column_base, uint32_t cols) {
  if ((table | column_base) & 3 || !inside(m, column_base, 4 * (uint64_t)cols)) return 0;
  int64_t largest = 0;
  for (uint32_t j = 0; j < cols; j++) {
    int32_t first = (int32_t)load32(m->base + column_base + 4 * j);
    if (first < 0) return 0;
    if (first > largest) largest = first;
  }
  return inside(m, table, 4 * ((uint64_t)largest + 256));
}

/* On x86-64 Linux the hot functions are compiled twice, for any x86-64 and for x86-64-v3 (BMI2's shifts without cl,
 * AVX2), and the loader picks one for the CPU it runs on: a build can move to another machine without illegal
 * instructions. */
#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define CPU_VARIANTS __attribute__((target_clones("default", "arch=x86-64-v3")))
#endif
#endif
#ifndef CPU_VARIANTS
#define CPU_VARIANTS
#endif

#endif

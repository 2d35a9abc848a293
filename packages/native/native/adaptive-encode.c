#include "adaptive.h"
#include <stdlib.h>
#include <string.h>

#define PROBABILITY_MASK 0xffffu
#define SEEN_ONE (1u << 16)
#define TOP (1u << 24)

/* conditional's RangeEncoder: 32-bit low with a carry bit, range below 2^32, bytes most significant first. */
typedef struct {
  uint64_t low;
  uint32_t range;
  uint8_t *bytes;
  size_t length, capacity;
  int failed;
} Encoder;

static void put(Encoder *e, uint8_t byte) {
  if (e->length == e->capacity) {
    size_t capacity = e->capacity ? 2 * e->capacity : 4096;
    uint8_t *grown = realloc(e->bytes, capacity);
    if (!grown) {
      e->failed = 1;
      return;
    }
    e->bytes = grown, e->capacity = capacity;
  }
  e->bytes[e->length++] = byte;
}

static inline void encode_bit(Encoder *e, uint32_t bit, uint32_t p) {
  uint32_t bound = (e->range >> 16) * p;
  if (bit == 0) {
    e->range = bound;
  } else {
    e->low += bound;
    e->range -= bound;
    if (e->low >> 32) {
      /* add one to the bytes written: a byte below 0xff exists, since the interval stays below 1 */
      e->low -= 1ull << 32;
      size_t at = e->length;
      while (at > 0 && e->bytes[at - 1] == 0xff) e->bytes[--at] = 0;
      if (at > 0) e->bytes[at - 1]++;
    }
  }
  while (e->range < TOP) {
    put(e, (uint8_t)(e->low >> 24));
    e->low = (e->low & (TOP - 1)) << 8;
    e->range <<= 8;
  }
}

/* Codes `bit` with node `node`'s probability, then moves it toward the bit by the rate of its count. */
static inline void code(Encoder *e, int32_t *nodes, const AdaptivePlan *plan, uint32_t node, uint32_t bit) {
  uint32_t state = (uint32_t)nodes[node];
  uint32_t seen = state >> 16;
  uint32_t p = state & PROBABILITY_MASK;
  encode_bit(e, bit, p);
  uint32_t rate = (uint32_t)plan->rates[seen];
  uint32_t next = bit == 0 ? p + (((65536 - p) * rate) >> 16) : p - ((p * rate) >> 16);
  nodes[node] = (int32_t)(next + (state & ~PROBABILITY_MASK) + (seen < plan->rate_steps ? SEEN_ONE : 0));
}

/* Whether every node a context's symbols can reach lies inside the plan: its unary nodes and each bucket's tree within
 * its layout's node count, that count within the context nodes, the shared nodes within all; and whether every count
 * a node can reach has a rate. */
static int plan_fits(const AdaptivePlan *plan) {
  if ((uint64_t)plan->shared + ADAPTIVE_BUCKETS * ADAPTIVE_BUCKETS > plan->nodes || plan->rate_steps > 65536) return 0;
  /* a node's count indexes the rates: it starts at node_start's and stops at rate_steps */
  if (plan->node_start >> 16 > plan->rate_steps) return 0;
  for (int kind = 0; kind < 2; kind++) {
    const int32_t *trees = plan->trees[kind];
    if (trees[1] < ADAPTIVE_BUCKETS || plan->tree_ends[kind] > 256) return 0;
    for (uint32_t b = 1; b < ADAPTIVE_BUCKETS; b++) {
      uint32_t reach = (1u << b) < plan->tree_ends[kind] ? 1u << b : plan->tree_ends[kind];
      if (trees[b] < 1 || (int64_t)trees[b] + reach - 1 > trees[ADAPTIVE_BUCKETS]) return 0;
    }
  }
  for (uint32_t c = 0; c < ADAPTIVE_CONTEXTS; c++) {
    if (plan->base[c] < 0) continue;
    if (plan->layout[c] > 1) return 0;
    if ((uint64_t)plan->base[c] + (uint32_t)plan->trees[plan->layout[c]][ADAPTIVE_BUCKETS] > plan->shared) return 0;
  }
  return 1;
}

int adaptive_encode(const AdaptivePlan *plan, const uint8_t *symbols, const uint16_t *contexts, size_t count, uint8_t **out, size_t *length) {
  if (!plan_fits(plan)) return -2;
  int32_t *nodes = malloc(sizeof(int32_t) * (plan->nodes ? plan->nodes : 1));
  if (!nodes) return -1;
  for (uint32_t n = 0; n < plan->nodes; n++) nodes[n] = (int32_t)plan->node_start;
  Encoder e = {0, 0xffffffffu, NULL, 0, 0, 0};
  int outcome = 0;
  for (size_t i = 0; i < count && !e.failed; i++) {
    uint32_t context = contexts[i];
    if (context >= ADAPTIVE_CONTEXTS || plan->base[context] < 0) {
      outcome = -1;
      break;
    }
    uint32_t base = (uint32_t)plan->base[context];
    uint32_t t = (uint32_t)symbols[i] + 1;
    uint32_t bucket = 31 - (uint32_t)__builtin_clz(t);
    for (uint32_t b = 0; b < ADAPTIVE_BUCKETS; b++) {
      uint32_t bit = bucket > b;
      code(&e, nodes, plan, base + b, bit);
      if (!bit) break;
    }
    if (bucket == 0 || bucket == ADAPTIVE_BUCKETS) continue;
    uint32_t kind = plan->layout[context];
    uint32_t tree = base + (uint32_t)plan->trees[kind][bucket] - 1;
    int j = (int)bucket - 1;
    for (uint32_t node = 1; j >= 0 && node < plan->tree_ends[kind]; j--) {
      uint32_t bit = (t >> j) & 1;
      code(&e, nodes, plan, tree + node, bit);
      node = (node << 1) | bit;
    }
    for (; j >= 0; j--) code(&e, nodes, plan, plan->shared + ADAPTIVE_BUCKETS * bucket + (uint32_t)j, (t >> j) & 1);
  }
  for (int shift = 24; shift >= 0 && !e.failed; shift -= 8) put(&e, (uint8_t)(e.low >> shift));
  free(nodes);
  if (outcome < 0 || e.failed) {
    free(e.bytes);
    return -1;
  }
  *out = e.bytes;
  *length = e.length;
  return 0;
}

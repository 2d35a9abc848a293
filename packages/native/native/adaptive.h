#ifndef QCHAIN_ADAPTIVE_H
#define QCHAIN_ADAPTIVE_H
#include <stddef.h>
#include <stdint.h>

/* conditional's adaptive model (adaptive-model.ts): symbols 0..255 as t = s + 1, bucket floor(log2 t) in unary, then a
 * bit tree per context over the bucket's top bits and shared nodes below. */
#define ADAPTIVE_BUCKETS 8
#define ADAPTIVE_CONTEXTS 1024

/* The model's constants and one tensor's node plan, as conditional computes them. */
typedef struct {
  const int32_t *base;   /* per context, its first node or -1 */
  const uint8_t *layout; /* per context, 0 or 1: which tree layout */
  uint32_t shared;       /* the first shared node (ADAPTIVE_BUCKETS^2 of them) */
  uint32_t nodes;        /* nodes in all */
  uint32_t node_start;   /* every node's first state */
  uint32_t rate_steps;   /* counts stop here */
  const int32_t *rates;  /* per count 0..rate_steps, the adaptation rate in 1/65536ths */
  const int32_t *trees[2]; /* per layout, bucket b's first node within a context (ADAPTIVE_BUCKETS + 1 values) */
  uint32_t tree_ends[2];
} AdaptivePlan;

/* Range-codes symbols[i] under contexts[i] (conditional's writeAdaptiveSymbols, byte for byte) into a buffer it
 * allocates: its bytes in *out (free() it), their count in *length. -1 when the plan or a context is invalid or memory
 * runs out, -2 when the plan names a node past its end. */
int adaptive_encode(const AdaptivePlan *plan, const uint8_t *symbols, const uint16_t *contexts, size_t count, uint8_t **out, size_t *length);

#endif

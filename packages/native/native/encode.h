#ifndef QCHAIN_ENCODE_H
#define QCHAIN_ENCODE_H
#include "memory.h"

/* Where the regions of the encoder's memory start (EncodeSpace in @qchain/conditional). */
typedef struct {
  Memory memory;
  uint32_t table;       /* the row's entries (int32) */
  uint32_t column_base; /* per column, the first entry of its group (int32) */
  uint32_t cols;
  uint32_t histograms;  /* two lanes of `contexts` x 256 symbols (uint32) */
  uint32_t state;       /* escape count, low-bit write address, pending bit count, pending bits (uint32 each) */
  uint32_t contexts;    /* context ids in use (conditional's CONTEXT_COUNT, at most 64) */
} EncodeMemory;

/* Checks the regions (layout: table, column bases, column count, histograms, state, context count) against the memory;
 * 0 or -1. */
int encode_bind(EncodeMemory *memory, uint8_t *base, size_t length, const int32_t *layout);

/* The first pass over one row (conditional's residual-encode.ts loop, byte for byte): symbols, contexts, counts, escapes
 * and low bits. -1 (nothing written) when its reads or writes could leave the memory. */
int encode_row(const EncodeMemory *memory, uint32_t values, uint32_t parent, uint32_t count, uint32_t symbols, uint32_t contexts, uint32_t escapes, int indexing);

/* The arguments of emit_slab: byte addresses in the memory, the slab's elements and the widths. */
typedef struct {
  uint32_t symbols, contexts, from, to, codes, escapes, low, state, out, child_bits, lane_bytes;
} EmitCall;

/* One slab's four lanes from the first pass (conditional's SlabEmitter, byte for byte); -1 (nothing written) when its
 * reads or writes could leave the memory or a lane its room. */
int emit_slab(const Memory *memory, const EmitCall *call);

#endif

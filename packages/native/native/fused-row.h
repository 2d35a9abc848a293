#ifndef QCHAIN_FUSED_ROW_H
#define QCHAIN_FUSED_ROW_H
#include "memory.h"

/* Where the regions of the decoder's memory (a WebAssembly memory's bytes) start, see FusedSpace in @qchain/conditional;
 * and the array the rows are written to. */
typedef struct {
  Memory memory;
  uint8_t *output;
  size_t output_length;
  uint32_t positions; /* four lanes' bit positions, counted from base */
  uint32_t seen;      /* the OR of every decoded integer */
  uint32_t escape_bits;
  uint32_t table;      /* the row's entries (int32) */
  uint32_t lookup;     /* the decode lookups, 2048 int16 per table */
  uint32_t column_base; /* per column, the first entry of its group (int32) */
  uint32_t cols;
} FusedMemory;

/* Checks the regions against the memory's length; 0 when every read of a row can stay inside, else -1. */
int fused_bind(FusedMemory *memory, uint8_t *base, size_t length, const int32_t *layout, uint8_t *output, size_t output_length);

/* Decodes one row (conditional's TypeScriptRows.row, byte for byte) to byte `out` of the output; -1 (and nothing written)
 * when its reads or writes could leave the memory or the output. */
int fused_row(const FusedMemory *memory, uint32_t out, uint32_t parent, uint32_t count, uint32_t phase, int indexing);

#endif

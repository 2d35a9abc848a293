#ifndef QCHAIN_HUFFMAN_PREFIX_H
#define QCHAIN_HUFFMAN_PREFIX_H
#include <stddef.h>
#include <stdint.h>

/* @qchain/huffman's four-stream blocks: tables indexed by the next 12 bits of a stream. */
#define HUFFMAN_TABLE_BITS 12
#define HUFFMAN_STREAMS 4

/* One block's streams and where their symbols go (huffman's decodeFastPrefix). */
typedef struct {
  const uint8_t *src;     /* the block's stream bytes; positions count bits from here */
  size_t src_bytes;
  const uint8_t *lengths; /* code length per 12-bit index */
  const void *symbols;    /* symbol per 12-bit index: bytes, or 16-bit values when width is 2 */
  void *out;              /* stream k's symbols go to out[k * quarter ..] */
  int width;              /* 1 or 2 bytes per symbol */
  size_t quarter;         /* symbols per stream */
  uint32_t positions[HUFFMAN_STREAMS];
} HuffmanPrefix;

/* Decodes the same number of leading symbols of every stream, in rounds of four per stream from one 8-byte load, for
 * as long as every load stays inside src and every stream inside its quarter; advances positions and returns how many
 * symbols each stream got. The caller decodes the rest with its checks. */
size_t huffman_prefix(HuffmanPrefix *call);

#endif

#ifndef QCHAIN_HUFFMAN_ENCODE_H
#define QCHAIN_HUFFMAN_ENCODE_H
#include <stddef.h>
#include <stdint.h>

/* The longest code the stream writer takes: 7 pending bits and four codes fit a 64-bit accumulator. */
#define HUFFMAN_WRITER_MAX_BITS 14

/* counts[s] += how often s occurs in symbols[0..count) (bytes when width is 1, else 16-bit values). */
void huffman_histogram(const void *symbols, int width, size_t count, uint32_t *counts);

/* Writes symbols[0..count) as one LSB-first bit stream at out, codes[s] = (bit-reversed code << 4) | length, no
 * length above HUFFMAN_WRITER_MAX_BITS; returns the bytes it takes (a last partial byte included). Every step stores 8
 * bytes, so out needs 8 bytes of room past them. @qchain/huffman's stream writer, byte for byte. */
size_t huffman_stream(const void *symbols, int width, size_t count, const uint32_t *codes, uint8_t *out);

#endif

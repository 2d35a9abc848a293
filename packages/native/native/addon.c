/* N-API glue. One binding per JavaScript environment (main thread or worker): a WebAssembly memory's bytes, bound for
 * the static decode (with an output array), for the encoder's first pass, or alone for the slab emission. It holds references to the buffers, and every call checks
 * that none has been detached since (a memory that grew, an array transferred to another thread), so no kernel touches
 * bytes the buffers no longer own. */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include "adaptive.h"
#include "encode.h"
#include "fused-row.h"
#include "huffman-encode.h"
#include "huffman-prefix.h"

enum { UNBOUND, DECODE, ENCODE, MEMORY };

typedef struct {
  int kind;
  Memory memory;
  FusedMemory decode;
  EncodeMemory encode;
  napi_ref buffers[2]; /* the memory's ArrayBuffer, and the decode output's */
} Binding;

#define CHECK(call)                     \
  do {                                  \
    if ((call) != napi_ok) return NULL; \
  } while (0)

static napi_value throw_range(napi_env env, const char *message) {
  napi_throw_range_error(env, "QCHAIN_NATIVE_RANGE", message);
  return NULL;
}

/* Drops the binding and its references; calls refuse until the next bind. */
static void release(napi_env env, Binding *binding) {
  binding->kind = UNBOUND;
  for (int i = 0; i < 2; i++)
    if (binding->buffers[i]) {
      napi_delete_reference(env, binding->buffers[i]);
      binding->buffers[i] = NULL;
    }
}

static void free_binding(napi_env env, void *data, void *hint) {
  (void)hint;
  release(env, data);
  free(data);
}

/* The binding, when it is of `kind` and its buffers are still attached; else NULL. */
static Binding *bound(napi_env env, int kind) {
  Binding *binding;
  if (napi_get_instance_data(env, (void **)&binding) != napi_ok || binding->kind != kind) return NULL;
  for (int i = 0; i < 2; i++) {
    if (!binding->buffers[i]) continue;
    napi_value buffer;
    bool detached = true;
    if (napi_get_reference_value(env, binding->buffers[i], &buffer) != napi_ok || !buffer) return NULL;
    if (napi_is_detached_arraybuffer(env, buffer, &detached) != napi_ok || detached) return NULL;
  }
  return binding;
}

/* The bytes of a typed array, and its ArrayBuffer. */
static bool typed_bytes(napi_env env, napi_value value, napi_typedarray_type *type, void **data, size_t *bytes, napi_value *buffer) {
  bool is_typed = false;
  size_t count;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  if (napi_get_typedarray_info(env, value, type, &count, data, buffer, NULL) != napi_ok) return false;
  size_t width = *type == napi_uint8_array || *type == napi_int8_array || *type == napi_uint8_clamped_array ? 1 : *type == napi_uint16_array || *type == napi_int16_array ? 2 : 4;
  *bytes = count * width;
  return true;
}

/* Releases the binding, then the first argument's ArrayBuffer bytes; false (an exception pending) when it is none. */
static bool released_memory(napi_env env, napi_value *argv, size_t argc, Binding **binding, void **data, size_t *length) {
  if (napi_get_instance_data(env, (void **)binding) != napi_ok) return false;
  release(env, *binding);
  bool is_buffer = false;
  if (argc < 1 || napi_is_arraybuffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer) return throw_range(env, "bind: expected an ArrayBuffer"), false;
  return napi_get_arraybuffer_info(env, argv[0], data, length) == napi_ok;
}

/* The second argument's Int32Array of at least `addresses` values; false (an exception pending) when it is none. */
static bool layout_of(napi_env env, napi_value *argv, size_t argc, size_t addresses, int32_t **layout) {
  napi_typedarray_type type;
  size_t bytes;
  napi_value ignored;
  if (argc < 2 || !typed_bytes(env, argv[1], &type, (void **)layout, &bytes, &ignored) || type != napi_int32_array || bytes < 4 * addresses) return throw_range(env, "bind: expected an Int32Array layout"), false;
  return true;
}

/* Keeps references to the bound buffers (the second may be NULL) and marks the binding as `kind`. */
static napi_value hold(napi_env env, Binding *binding, int kind, napi_value memory, napi_value output) {
  if (napi_create_reference(env, memory, 1, &binding->buffers[0]) != napi_ok || (output && napi_create_reference(env, output, 1, &binding->buffers[1]) != napi_ok)) {
    release(env, binding);
    return NULL;
  }
  binding->kind = kind;
  return NULL;
}

/* The three binds: bindMemory(buffer), the memory alone (for emitSlab); bindDecode(buffer, layout, output: Uint16Array |
 * Uint8Array), see FusedMemory; bindEncode(buffer, layout), see EncodeMemory. */
static napi_value bind(napi_env env, napi_callback_info info, int kind) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Binding *binding;
  void *data;
  size_t length;
  int32_t *layout;
  if (!released_memory(env, argv, argc, &binding, &data, &length)) return NULL;
  if (kind == MEMORY) {
    binding->memory = (Memory){data, length};
    return hold(env, binding, MEMORY, argv[0], NULL);
  }
  if (!layout_of(env, argv, argc, kind == DECODE ? 7 : 6, &layout)) return NULL;
  if (kind == ENCODE) {
    if (encode_bind(&binding->encode, data, length, layout) != 0) return throw_range(env, "bindEncode: a region lies outside the memory");
    return hold(env, binding, ENCODE, argv[0], NULL);
  }
  napi_typedarray_type type;
  void *output;
  size_t output_bytes;
  napi_value output_buffer;
  if (argc < 3 || !typed_bytes(env, argv[2], &type, &output, &output_bytes, &output_buffer) || (type != napi_uint16_array && type != napi_uint8_array)) return throw_range(env, "bindDecode: expected a Uint16Array or Uint8Array output");
  if (fused_bind(&binding->decode, data, length, layout, output, output_bytes) != 0) return throw_range(env, "bindDecode: a region lies outside the memory");
  return hold(env, binding, DECODE, argv[0], output_buffer);
}

static napi_value bind_memory(napi_env env, napi_callback_info info) { return bind(env, info, MEMORY); }
static napi_value bind_decode(napi_env env, napi_callback_info info) { return bind(env, info, DECODE); }
static napi_value bind_encode(napi_env env, napi_callback_info info) { return bind(env, info, ENCODE); }

/* `count` unsigned integer arguments, or false (an exception pending). */
static bool uint32_args(napi_env env, napi_callback_info info, size_t count, uint32_t *args) {
  size_t argc = 12;
  napi_value argv[12];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  for (size_t i = 0; i < count; i++)
    if (i >= argc || napi_get_value_uint32(env, argv[i], &args[i]) != napi_ok) return throw_range(env, "expected unsigned integer arguments"), false;
  return true;
}

static napi_value int32_result(napi_env env, int value) {
  napi_value result;
  CHECK(napi_create_int32(env, value, &result));
  return result;
}

/* decodeRow(out, parent, count, phase, indexing): 0, or -1 (nothing decoded). */
static napi_value decode_row(napi_env env, napi_callback_info info) {
  uint32_t a[5];
  if (!uint32_args(env, info, 5, a)) return NULL;
  Binding *binding = bound(env, DECODE);
  return int32_result(env, binding ? fused_row(&binding->decode, a[0], a[1], a[2], a[3], (int)a[4]) : -1);
}

/* encodeRow(values, parent, count, symbols, contexts, escapes, indexing): 0, or -1 (nothing written). */
static napi_value encode_row_call(napi_env env, napi_callback_info info) {
  uint32_t a[7];
  if (!uint32_args(env, info, 7, a)) return NULL;
  Binding *binding = bound(env, ENCODE);
  return int32_result(env, binding ? encode_row(&binding->encode, a[0], a[1], a[2], a[3], a[4], a[5], (int)a[6]) : -1);
}

/* emitSlab(symbols, contexts, from, to, codes, escapes, low, state, out, childBits, laneBytes) in the bound memory: 0 or
 * -1. */
static napi_value emit_slab_call(napi_env env, napi_callback_info info) {
  uint32_t a[11];
  if (!uint32_args(env, info, 11, a)) return NULL;
  Binding *binding = bound(env, MEMORY);
  EmitCall call = {a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]};
  return int32_result(env, binding ? emit_slab(&binding->memory, &call) : -1);
}

/* Whether `value` is a typed array of `type` with at least `count` elements: its data (maybe NULL when empty) and length. */
static bool typed_array(napi_env env, napi_value value, napi_typedarray_type type, size_t count, const void **data, size_t *length) {
  napi_typedarray_type actual;
  size_t bytes;
  napi_value ignored;
  if (!typed_bytes(env, value, &actual, (void **)data, &bytes, &ignored) || actual != type) return false;
  size_t width = type == napi_uint8_array ? 1 : type == napi_uint16_array ? 2 : 4;
  *length = bytes / width;
  return *length >= count;
}

/* adaptiveEncode(symbols: Uint8Array, contexts: Uint16Array, base: Int32Array(1024), layout: Uint8Array(1024),
 * model: Int32Array [shared, nodes, node start, rate steps, tree end 0, tree end 1, trees 0 (9), trees 1 (9), rates]):
 * the range coder's bytes (an ArrayBuffer), or a RangeError. */
static napi_value adaptive_encode_call(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) return throw_range(env, "adaptiveEncode: expected five arguments");
  size_t symbols_length, contexts_length, unused, model_length;
  const uint8_t *symbols;
  const uint16_t *contexts;
  const int32_t *base, *model;
  const uint8_t *layout;
  bool valid = typed_array(env, argv[0], napi_uint8_array, 0, (const void **)&symbols, &symbols_length) && typed_array(env, argv[1], napi_uint16_array, 0, (const void **)&contexts, &contexts_length) &&
               typed_array(env, argv[2], napi_int32_array, ADAPTIVE_CONTEXTS, (const void **)&base, &unused) && typed_array(env, argv[3], napi_uint8_array, ADAPTIVE_CONTEXTS, (const void **)&layout, &unused) &&
               typed_array(env, argv[4], napi_int32_array, 6 + 2 * (ADAPTIVE_BUCKETS + 1), (const void **)&model, &model_length);
  if (!valid || symbols_length != contexts_length) return throw_range(env, "adaptiveEncode: expected symbols, contexts, a node plan and the model");
  for (int i = 0; i < 4; i++)
    if (model[i] < 0) return throw_range(env, "adaptiveEncode: a negative model constant");
  AdaptivePlan plan = {base, layout, (uint32_t)model[0], (uint32_t)model[1], (uint32_t)model[2], (uint32_t)model[3], model + 6 + 2 * (ADAPTIVE_BUCKETS + 1), {model + 6, model + 6 + ADAPTIVE_BUCKETS + 1}, {(uint32_t)model[4], (uint32_t)model[5]}};
  if (model_length < 6 + 2 * (ADAPTIVE_BUCKETS + 1) + (size_t)plan.rate_steps + 1) return throw_range(env, "adaptiveEncode: the model's rates are missing");
  uint8_t *bytes;
  size_t length;
  int outcome = adaptive_encode(&plan, symbols, contexts, symbols_length, &bytes, &length);
  if (outcome == -2) return throw_range(env, "adaptiveEncode: the node plan does not fit its nodes");
  if (outcome < 0) return throw_range(env, "adaptiveEncode: a context without nodes, or out of memory");
  /* copied into an ArrayBuffer of the engine's own (some builds refuse external buffers) */
  napi_value buffer;
  void *data;
  napi_status status = napi_create_arraybuffer(env, length, &data, &buffer);
  if (status == napi_ok) memcpy(data, bytes, length);
  free(bytes);
  return status == napi_ok ? buffer : NULL;
}

/* huffmanPrefix(src: Uint8Array, lengths: Uint8Array(4096), symbols: Uint8Array | Uint16Array (4096, out's type),
 * out: Uint8Array | Uint16Array, outStart, quarter, positions: Int32Array(4)): the symbols each stream got (positions
 * advanced), or a RangeError. */
static napi_value huffman_prefix_call(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) return throw_range(env, "huffmanPrefix: expected seven arguments");
  const size_t table = (size_t)1 << HUFFMAN_TABLE_BITS;
  HuffmanPrefix call;
  size_t src_bytes, unused, out_length, position_count;
  napi_typedarray_type out_type;
  size_t out_bytes;
  napi_value ignored;
  void *out;
  int32_t *positions;
  uint32_t out_start, quarter;
  bool valid = typed_array(env, argv[0], napi_uint8_array, 0, (const void **)&call.src, &src_bytes) && typed_array(env, argv[1], napi_uint8_array, table, (const void **)&call.lengths, &unused) &&
               typed_bytes(env, argv[3], &out_type, &out, &out_bytes, &ignored) && (out_type == napi_uint8_array || out_type == napi_uint16_array) &&
               typed_array(env, argv[2], out_type, table, &call.symbols, &unused) && napi_get_value_uint32(env, argv[4], &out_start) == napi_ok &&
               napi_get_value_uint32(env, argv[5], &quarter) == napi_ok && typed_array(env, argv[6], napi_int32_array, HUFFMAN_STREAMS, (const void **)&positions, &position_count);
  if (!valid) return throw_range(env, "huffmanPrefix: expected the streams, both tables, the output, its start, the quarter and four positions");
  /* the rounds' bounds assume codes of at most HUFFMAN_TABLE_BITS bits */
  for (size_t i = 0; i < table; i++)
    if (call.lengths[i] > HUFFMAN_TABLE_BITS) return throw_range(env, "huffmanPrefix: a code length over 12 bits");
  call.width = out_type == napi_uint8_array ? 1 : 2;
  out_length = out_bytes / (size_t)call.width;
  if ((uint64_t)out_start + (uint64_t)HUFFMAN_STREAMS * quarter > out_length) return throw_range(env, "huffmanPrefix: the output is too short");
  for (int k = 0; k < HUFFMAN_STREAMS; k++) {
    if (positions[k] < 0 || (uint64_t)positions[k] > 8 * (uint64_t)src_bytes) return throw_range(env, "huffmanPrefix: a position outside the streams");
    call.positions[k] = (uint32_t)positions[k];
  }
  call.src_bytes = src_bytes;
  call.out = (uint8_t *)out + (size_t)out_start * (size_t)call.width;
  call.quarter = quarter;
  size_t done = huffman_prefix(&call);
  for (int k = 0; k < HUFFMAN_STREAMS; k++) positions[k] = (int32_t)call.positions[k];
  return int32_result(env, (int)done);
}

/* A huffman call's `argc` arguments, the first three its symbols (a Uint8Array or Uint16Array) and from..to inside
 * them; false (nothing pending) when they are not. */
static bool symbol_call(napi_env env, napi_callback_info info, size_t argc, napi_value *argv, const uint8_t **symbols, int *width, size_t *count) {
  size_t given = argc;
  napi_typedarray_type type;
  size_t bytes;
  napi_value ignored;
  void *data;
  uint32_t from, to;
  if (napi_get_cb_info(env, info, &given, argv, NULL, NULL) != napi_ok || given < argc) return false;
  if (!typed_bytes(env, argv[0], &type, &data, &bytes, &ignored) || (type != napi_uint8_array && type != napi_uint16_array)) return false;
  if (napi_get_value_uint32(env, argv[1], &from) != napi_ok || napi_get_value_uint32(env, argv[2], &to) != napi_ok) return false;
  *width = type == napi_uint8_array ? 1 : 2;
  if (from > to || to > bytes / (size_t)*width) return false;
  *symbols = (const uint8_t *)data + (size_t)from * (size_t)*width;
  *count = to - from;
  return true;
}

/* huffmanHistogram(symbols: Uint8Array | Uint16Array, from, to, counts: Uint32Array (256 or 65536)): adds the
 * counts of symbols from..to-1, or a RangeError. */
static napi_value huffman_histogram_call(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  const uint8_t *symbols;
  int width;
  size_t count, unused;
  uint32_t *counts;
  if (!symbol_call(env, info, 4, argv, &symbols, &width, &count)) return throw_range(env, "huffmanHistogram: expected symbols and a range of them");
  if (!typed_array(env, argv[3], napi_uint32_array, width == 1 ? 256 : 65536, (const void **)&counts, &unused)) return throw_range(env, "huffmanHistogram: expected a counter per symbol of the width");
  huffman_histogram(symbols, width, count, counts);
  return NULL;
}

/* huffmanStreams(symbols, from, to, codes: Uint32Array (a code per symbol of the width), out: Uint8Array,
 * ends: Int32Array(4)): writes the four streams of symbols from..to-1 back to back into out (quarters, the last taking
 * the rest), each stream's end offset into ends; the payload's bytes, or a RangeError (a code longer than 14 bits, out
 * without room for the longest case and 8 bytes more). */
static napi_value huffman_streams_call(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  const uint8_t *symbols;
  int width;
  size_t count, codes_length, out_length, unused;
  const uint32_t *codes;
  uint8_t *out;
  int32_t *ends;
  if (!symbol_call(env, info, 6, argv, &symbols, &width, &count)) return throw_range(env, "huffmanStreams: expected symbols and a range of them");
  size_t alphabet = width == 1 ? 256 : 65536;
  if (!typed_array(env, argv[3], napi_uint32_array, alphabet, (const void **)&codes, &codes_length) || !typed_array(env, argv[4], napi_uint8_array, 0, (const void **)&out, &out_length) ||
      !typed_array(env, argv[5], napi_int32_array, 4, (const void **)&ends, &unused))
    return throw_range(env, "huffmanStreams: expected codes per symbol of the width, an output and four ends");
  uint32_t longest = 0;
  for (size_t s = 0; s < alphabet; s++) longest = (codes[s] & 15) > longest ? codes[s] & 15 : longest;
  if (longest > HUFFMAN_WRITER_MAX_BITS) return throw_range(env, "huffmanStreams: a code longer than 14 bits");
  if ((uint64_t)out_length < ((uint64_t)count * longest + 7) / 8 + 4 + 8) return throw_range(env, "huffmanStreams: the output has no room for the streams");
  size_t quarter = count / 4, at = 0;
  for (int k = 0; k < 4; k++) {
    size_t length = k == 3 ? count - 3 * quarter : quarter;
    at += huffman_stream(symbols + (size_t)k * quarter * (size_t)width, width, length, codes, out + at);
    ends[k] = (int32_t)at;
  }
  return int32_result(env, (int)at);
}

/* unbind(): drops the binding (and its hold on the buffers). */
static napi_value unbind(napi_env env, napi_callback_info info) {
  (void)info;
  Binding *binding;
  CHECK(napi_get_instance_data(env, (void **)&binding));
  release(env, binding);
  return NULL;
}

NAPI_MODULE_INIT() {
  Binding *binding = calloc(1, sizeof(Binding));
  if (!binding || napi_set_instance_data(env, binding, free_binding, NULL) != napi_ok) return NULL;
  napi_property_descriptor methods[] = {
      {"bindDecode", NULL, bind_decode, NULL, NULL, NULL, napi_default, NULL},
      {"decodeRow", NULL, decode_row, NULL, NULL, NULL, napi_default, NULL},
      {"bindEncode", NULL, bind_encode, NULL, NULL, NULL, napi_default, NULL},
      {"encodeRow", NULL, encode_row_call, NULL, NULL, NULL, napi_default, NULL},
      {"bindMemory", NULL, bind_memory, NULL, NULL, NULL, napi_default, NULL},
      {"emitSlab", NULL, emit_slab_call, NULL, NULL, NULL, napi_default, NULL},
      {"unbind", NULL, unbind, NULL, NULL, NULL, napi_default, NULL},
      {"adaptiveEncode", NULL, adaptive_encode_call, NULL, NULL, NULL, napi_default, NULL},
      {"huffmanPrefix", NULL, huffman_prefix_call, NULL, NULL, NULL, napi_default, NULL},
      {"huffmanHistogram", NULL, huffman_histogram_call, NULL, NULL, NULL, napi_default, NULL},
      {"huffmanStreams", NULL, huffman_streams_call, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods));
  return exports;
}

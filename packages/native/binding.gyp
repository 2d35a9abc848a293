{
  "targets": [
    {
      "target_name": "qchain_native",
      "sources": ["native/addon.c", "native/fused-row.c", "native/encode-row.c", "native/emit-slab.c", "native/adaptive-encode.c", "native/huffman-prefix.c", "native/huffman-encode.c"],
      "cflags": ["-O3", "-std=c11"],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-O2"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}

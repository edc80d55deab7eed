// Writing results that will not be read back soon. An ordinary store first reads the destination's
// cache line (read-for-ownership); for an output far larger than the last-level cache that read is a
// third of the memory traffic and buys nothing. A streaming store writes the line without reading it.
// Kernels compute into a small block that stays in L1, then hand the block's rows to these helpers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

namespace probedeck {

/** Outputs above this many bytes are written with streaming stores: they cannot stay in cache anyway. */
constexpr size_t kStreamingStoreBytes = size_t(16) << 20;

/** Copies n floats to dst: with streaming stores where `streaming` and the platform has them. */
inline void store_row(float* dst, const float* src, size_t n, bool streaming) {
#if defined(__x86_64__)
  if (streaming) {
    size_t i = 0;
    // Ordinary stores up to the first 16-byte boundary (JS buffers are only 8-byte aligned for sure).
    for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 15) != 0; i++) dst[i] = src[i];
    for (; i + 4 <= n; i += 4) _mm_stream_ps(dst + i, _mm_loadu_ps(src + i));
    for (; i < n; i++) dst[i] = src[i];
    return;
  }
#endif
  std::memcpy(dst, src, n * sizeof(float));
}

/** Orders this thread's streaming stores before whatever it does next (signalling a job's end). */
inline void streaming_stores_done() {
#if defined(__x86_64__)
  _mm_sfence();
#endif
}

}  // namespace probedeck

#include "scale.hpp"

#include <algorithm>
#include <atomic>
#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

#include "thread_pool.hpp"

namespace probedeck {

template <class S>
void scale_to_float(const S* in, size_t rows, size_t channels, const float* gain, const float* offset, float* out, int workers) {
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), rows / 1024));
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    for (size_t t = rows * size_t(b) / blocks; t < rows * size_t(b + 1) / blocks; t++)
      for (size_t c = 0; c < channels; c++) out[t * channels + c] = float(in[t * channels + c]) * gain[c] + offset[c];
  });
}

template void scale_to_float(const int16_t*, size_t, size_t, const float*, const float*, float*, int);
template void scale_to_float(const float*, size_t, size_t, const float*, const float*, float*, int);

namespace {

constexpr float kRound = 12582912.f;

/**
 * Adding and taking away 1.5·2²³ rounds |x| < 2²² to an integer half-to-even (the default rounding
 * mode), as numpy's round; beyond that the result is far outside int16 and is clamped anyway.
 */
inline float round_clamped(float x, size_t& outside) {
  const float r = (x + kRound) - kRound;
  const float c = r != r ? 0.f : r < -32768.f ? -32768.f : r > 32767.f ? 32767.f : r;
  outside += c != r;
  return c;
}

// Without branches, eight values a step: a libm nearbyint call per value took longer than the filter.
size_t round_block(const float* in, size_t n, int16_t* out) {
  size_t count = 0, i = 0;
#if defined(__SSE2__) || defined(_M_X64)
  const __m128 k = _mm_set1_ps(kRound), lo = _mm_set1_ps(-32768.f), hi = _mm_set1_ps(32767.f);
  __m128i outside = _mm_setzero_si128();
  auto four = [&](const float* p) {
    const __m128 r = _mm_sub_ps(_mm_add_ps(_mm_loadu_ps(p), k), k);
    const __m128 c = _mm_and_ps(_mm_min_ps(_mm_max_ps(r, lo), hi), _mm_cmpord_ps(r, r));  // NaN → 0
    outside = _mm_sub_epi32(outside, _mm_castps_si128(_mm_cmpneq_ps(c, r)));              // true is −1
    return _mm_cvttps_epi32(c);
  };
  for (; i + 8 <= n; i += 8) {
    const __m128i a = four(in + i), b = four(in + i + 4);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_packs_epi32(a, b));
  }
  alignas(16) uint32_t lanes[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), outside);
  count = size_t(lanes[0]) + lanes[1] + lanes[2] + lanes[3];
#endif
  for (; i < n; i++) out[i] = int16_t(round_clamped(in[i], count));
  return count;
}

}  // namespace

size_t round_to_int16(const float* in, size_t n, int16_t* out, int workers) {
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), n / 65536));
  std::atomic<size_t> clamped{0};
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    const size_t i0 = n * size_t(b) / blocks, i1 = n * size_t(b + 1) / blocks;
    clamped += round_block(in + i0, i1 - i0, out + i0);
  });
  return clamped.load();
}

}  // namespace probedeck

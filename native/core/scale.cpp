#include "scale.hpp"

#include <algorithm>
#include <atomic>

#include "thread_pool.hpp"

namespace probedeck {

void scale_to_float(const int16_t* in, size_t rows, size_t channels, const float* gain, const float* offset, float* out, int workers) {
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), rows / 1024));
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    for (size_t t = rows * size_t(b) / blocks; t < rows * size_t(b + 1) / blocks; t++)
      for (size_t c = 0; c < channels; c++) out[t * channels + c] = float(in[t * channels + c]) * gain[c] + offset[c];
  });
}

namespace {

/**
 * Adding and taking away 1.5·2²³ rounds |x| < 2²² to an integer half-to-even (the default rounding
 * mode), as numpy's round; beyond that the result is far outside int16 and is clamped anyway. Written
 * without branches so the loop vectorises: a libm nearbyint call per value took longer than the filter.
 */
size_t round_block(const float* __restrict in, size_t n, int16_t* __restrict out) {
  constexpr float kRound = 12582912.f;
  size_t outside = 0;
  for (size_t i = 0; i < n; i++) {
    const float r = (in[i] + kRound) - kRound;
    float c = r < -32768.f ? -32768.f : r;
    c = c > 32767.f ? 32767.f : c;
    c = c == c ? c : 0.f;  // NaN → 0
    outside += !(c == r);
    out[i] = int16_t(c);
  }
  return outside;
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

#include "scale.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

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

size_t round_to_int16(const float* in, size_t n, int16_t* out, int workers) {
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), n / 65536));
  std::atomic<size_t> clamped{0};
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    size_t local = 0;
    for (size_t i = n * size_t(b) / blocks; i < n * size_t(b + 1) / blocks; i++) {
      // nearbyint rounds half-to-even in the default rounding mode, like numpy (std::round would not).
      float r = std::nearbyint(in[i]);
      if (r > 32767.f || r < -32768.f || std::isnan(r)) {
        local++;
        r = std::isnan(r) ? 0.f : std::clamp(r, -32768.f, 32767.f);
      }
      out[i] = int16_t(r);
    }
    clamped += local;
  });
  return clamped.load();
}

}  // namespace probedeck

#include "scale.hpp"

#include <algorithm>

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

}  // namespace probedeck

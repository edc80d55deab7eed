#include "decimate.hpp"

#include <algorithm>

#include "thread_pool.hpp"

namespace probedeck {

void decimate_minmax(const float* in, size_t rows, size_t channels, size_t columns, float* out, int workers) {
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), columns));
  // Split by columns: each worker reads its own contiguous span of rows (time-major, all channels).
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    for (size_t col = columns * size_t(b) / blocks; col < columns * size_t(b + 1) / blocks; col++) {
      const size_t r0 = rows * col / columns;
      const size_t r1 = std::max(r0 + 1, rows * (col + 1) / columns);
      float* o = out + col * channels * 2;
      const float* first = in + std::min(r0, rows - 1) * channels;
      for (size_t c = 0; c < channels; c++) o[2 * c] = o[2 * c + 1] = first[c];
      for (size_t t = r0 + 1; t < std::min(r1, rows); t++) {
        const float* row = in + t * channels;
        for (size_t c = 0; c < channels; c++) {
          o[2 * c] = std::min(o[2 * c], row[c]);
          o[2 * c + 1] = std::max(o[2 * c + 1], row[c]);
        }
      }
    }
  });
}

}  // namespace probedeck

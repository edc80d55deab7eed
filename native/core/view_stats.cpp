#include "view_stats.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "dsp_error.hpp"
#include "thread_pool.hpp"
#include "welch.hpp"

namespace probedeck {

void channel_activity(const float* x, size_t rows, size_t channels, double k, double* rms, double* ptp, double* sigma, double* crossings, int workers) {
  if (rows == 0) throw DspError("EMPTY_WINDOW", "the window holds no samples");
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), channels));
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    const size_t c0 = channels * size_t(b) / blocks, c1 = channels * size_t(b + 1) / blocks, K = c1 - c0;
    // Rows are read whole (each worker its slice of channels): time-major data walked channel by
    // channel would miss the cache on every sample.
    // σ from a strided subsample of rows: the median of |x| settles long before every sample is seen.
    const size_t step = std::max<size_t>(1, rows / 5000);
    const size_t nsub = (rows + step - 1) / step;
    std::vector<float> mags(K * nsub);
    for (size_t t = 0, j = 0; t < rows; t += step, j++) {
      const float* row = x + t * channels + c0;
      for (size_t i = 0; i < K; i++) mags[i * nsub + j] = row[i];
    }
    std::vector<double> thr(K), ss(K, 0.0), lo(K), hi(K), n(K, 0.0);
    std::vector<char> below(K);
    for (size_t i = 0; i < K; i++) {
      // Deviations from the channel's median: unfiltered data sit on an offset of hundreds of µV,
      // which |x| alone would take for noise.
      auto first = mags.begin() + std::ptrdiff_t(i * nsub), mid = first + std::ptrdiff_t(nsub / 2), last = first + std::ptrdiff_t(nsub);
      std::nth_element(first, mid, last);
      const float centre = *mid;
      for (auto it = first; it != last; ++it) *it = std::fabs(*it - centre);
      std::nth_element(first, mid, last);
      sigma[c0 + i] = double(*mid) / 0.6745;
      thr[i] = centre - k * sigma[c0 + i];
      lo[i] = hi[i] = x[c0 + i];
      below[i] = x[c0 + i] < thr[i];
    }
    for (size_t t = 0; t < rows; t++) {
      const float* row = x + t * channels + c0;
      for (size_t i = 0; i < K; i++) {
        const double v = row[i];
        ss[i] += v * v;
        lo[i] = std::min(lo[i], v);
        hi[i] = std::max(hi[i], v);
        const char now = v < thr[i];
        n[i] += double(now & !below[i]);
        below[i] = now;
      }
    }
    for (size_t i = 0; i < K; i++) {
      rms[c0 + i] = std::sqrt(ss[i] / double(rows));
      ptp[c0 + i] = hi[i] - lo[i];
      crossings[c0 + i] = sigma[c0 + i] > 0 ? n[i] : 0;  // a flat (dead) channel has no threshold to cross
    }
  });
}

void welch_channels(const float* x, size_t rows, size_t channels, const int* list, size_t n, size_t nperseg, double fs, double* out, int workers) {
  if (nperseg < 2 || rows < nperseg) throw DspError("WINDOW_TOO_SHORT", "the window is shorter than one Welch segment");
  const size_t bins = nperseg / 2 + 1;
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), n));
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    Welch welch(nperseg, fs);
    for (size_t i = n * size_t(b) / blocks; i < n * size_t(b + 1) / blocks; i++) welch.density(x + list[i], rows, channels, out + i * bins);
  });
}

}  // namespace probedeck

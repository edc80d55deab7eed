#include "view_stats.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "dsp_error.hpp"
#include "thread_pool.hpp"
#include "welch.hpp"

namespace probedeck {

void channel_activity(const float* x, size_t rows, size_t channels, double k, double* rms, double* ptp, double* crossings, int workers) {
  if (rows == 0) throw DspError("EMPTY_WINDOW", "the window holds no samples");
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w), channels));
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    const size_t c0 = channels * size_t(b) / blocks, c1 = channels * size_t(b + 1) / blocks;
    // σ from a strided subsample: the median of |x| settles long before every sample is seen.
    const size_t step = std::max<size_t>(1, rows / 20000);
    std::vector<float> mags;
    mags.reserve(rows / step + 1);
    for (size_t c = c0; c < c1; c++) {
      mags.clear();
      for (size_t t = 0; t < rows; t += step) mags.push_back(std::fabs(x[t * channels + c]));
      std::nth_element(mags.begin(), mags.begin() + mags.size() / 2, mags.end());
      const double thr = -k * double(mags[mags.size() / 2]) / 0.6745;
      double ss = 0, lo = x[c], hi = x[c], n = 0;
      bool below = x[c] < thr;
      for (size_t t = 0; t < rows; t++) {
        const double v = x[t * channels + c];
        ss += v * v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        const bool now = v < thr;
        if (now && !below) n++;
        below = now;
      }
      rms[c] = std::sqrt(ss / double(rows));
      ptp[c] = hi - lo;
      crossings[c] = thr < 0 ? n : 0;  // a flat (dead) channel has no threshold to cross
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

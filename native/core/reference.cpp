#include "reference.hpp"

#include <algorithm>
#include <cmath>

#include "dsp_error.hpp"
#include "thread_pool.hpp"
#include "work_buffer.hpp"

namespace probedeck {

namespace {

// The k-th smallest value: quickselect with a median-of-3 pivot and branch-free partitions
// (about 2.5× faster than std::nth_element on 384 noisy channels). Values must not be NaN.
float select_k(float* a, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (hi > lo + 16) {
    const size_t mid = lo + (hi - lo) / 2;
    const float x = a[lo], y = a[mid], z = a[hi];
    const float p = std::max(std::min(x, y), std::min(std::max(x, y), z));
    size_t i = lo;  // [lo, i) < p
    for (size_t j = lo; j <= hi; j++) {
      const float v = a[j];
      const bool lt = v < p;
      a[j] = a[i];
      a[i] = v;
      i += lt;
    }
    if (k < i) {
      hi = i - 1;
      continue;
    }
    size_t e = i;  // [i, e) == p
    for (size_t j = i; j <= hi; j++) {
      const float v = a[j];
      const bool eq = v == p;
      a[j] = a[e];
      a[e] = v;
      e += eq;
    }
    if (k < e) return p;
    lo = e;
  }
  std::sort(a + lo, a + hi + 1);
  return a[k];
}

// numpy's median: for an even count, the float32 mean of the two middle values.
float median_of(float* v, size_t n) {
  const size_t mid = n / 2;
  const float hi = select_k(v, n, mid);
  if (n % 2 == 1) return hi;
  const float lo = *std::max_element(v, v + mid);
  return (lo + hi) / 2.0f;
}

float mean_of(const float* v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += v[i];
  return float(s / double(n));
}

}  // namespace

void common_reference(float* data, size_t rows, size_t channels, const ReferencePlan& plan, int workers) {
  if (plan.set_of_channel.size() != channels) throw DspError("BAD_REFERENCE", "the reference plan does not match the channel count");
  for (auto& s : plan.sets)
    if (s.empty()) throw DspError("EMPTY_REFERENCE", "a reference set has no channels left after exclusions");
  size_t largest = 0;
  for (auto& s : plan.sets) largest = std::max(largest, s.size());

  // At least 1024 rows a block, a few blocks per worker for balance.
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w) * 4, rows / 1024));
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    const size_t r0 = rows * size_t(b) / blocks, r1 = rows * size_t(b + 1) / blocks;
    WorkBuffer<float> scratch(largest);
    WorkBuffer<float> stat(plan.sets.size());
    for (size_t t = r0; t < r1; t++) {
      float* row = data + t * channels;
      for (size_t k = 0; k < plan.sets.size(); k++) {
        const auto& set = plan.sets[k];
        bool finite = true;
        for (size_t i = 0; i < set.size(); i++) {
          scratch[i] = row[set[i]];
          finite &= std::isfinite(scratch[i]);
        }
        if (!finite) throw DspError("NON_FINITE_INPUT", "the data to re-reference contain NaN or infinite samples");
        stat[k] = plan.op == RefOperator::median ? median_of(scratch.data(), set.size()) : mean_of(scratch.data(), set.size());
      }
      for (size_t c = 0; c < channels; c++) {
        const int k = plan.set_of_channel[c];
        if (k >= 0) row[c] = row[c] - stat[size_t(k)];
      }
    }
  });
}

}  // namespace probedeck

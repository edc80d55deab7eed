#include "reference.hpp"

#include <algorithm>

#include "dsp_error.hpp"
#include "thread_pool.hpp"
#include "work_buffer.hpp"

namespace probedeck {

namespace {

// numpy's median: for an even count, the float32 mean of the two middle values.
float median_of(float* v, size_t n) {
  const size_t mid = n / 2;
  std::nth_element(v, v + mid, v + n);
  const float hi = v[mid];
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
        for (size_t i = 0; i < set.size(); i++) scratch[i] = row[set[i]];
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

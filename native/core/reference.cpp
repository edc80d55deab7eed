#include "reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "cpu_features.hpp"
#include "dsp_error.hpp"
#include "median.hpp"
#include "median_network.hpp"
#include "thread_pool.hpp"
#include "work_buffer.hpp"

namespace probedeck {

namespace {

PROBEDECK_INLINE void subtract_body(float* row, size_t n, float s) {
  for (size_t c = 0; c < n; c++) row[c] -= s;
}

// Every row of a global median takes this pass beside the median itself: eight lanes a step where
// the CPU has AVX2 (the baseline build has four).
#if defined(PROBEDECK_X86_DISPATCH)
__attribute__((target("avx2"))) void subtract_avx2(float* row, size_t n, float s) { subtract_body(row, n, s); }
#endif

void subtract_all(float* row, size_t n, float s) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return subtract_avx2(row, n, s);
#endif
  subtract_body(row, n, s);
}

// SpikeInterface's np.mean(traces, axis=1) on a filter's float32 output: scipy returns those
// traces Fortran-ordered, so numpy adds the channels one after another in float32 (its pairwise sum
// applies only along a contiguous row) and divides in float32. Done the same way it is bit-equal; a
// float64 sum, closer to the true mean, was an ulp or a few off.
float mean_of(const float* v, size_t n) {
  float s = v[0];
  for (size_t i = 1; i < n; i++) s += v[i];
  return s / float(n);
}

}  // namespace

PreparedReference::PreparedReference(const ReferencePlan& p, size_t channels_) : plan(p), channels(channels_) {
  if (plan.set_of_channel.size() != channels) throw DspError("BAD_REFERENCE", "the reference plan does not match the channel count");
  for (int k : plan.set_of_channel)
    if (k < -1 || k >= int(plan.sets.size())) throw DspError("BAD_REFERENCE", "a channel's reference set " + std::to_string(k) + " is not one of the plan's");
  for (auto& s : plan.sets) {
    if (s.empty()) throw DspError("EMPTY_REFERENCE", "a reference set has no channels left after exclusions");
    for (int c : s)
      if (c < 0 || size_t(c) >= channels) throw DspError("BAD_REFERENCE", "a reference set names channel " + std::to_string(c) + " of " + std::to_string(channels));
  }
  for (auto& s : plan.sets) largest = std::max(largest, s.size());
  const size_t n_sets = plan.sets.size();

  for (auto& s : plan.sets) {
    bool in_order = s.size() == channels;
    for (size_t i = 0; in_order && i < s.size(); i++) in_order = size_t(s[i]) == i;
    whole_row.push_back(in_order);
  }

  // Small median sets (local annuli) take a sorting network, kNetworkRows rows at a time; one network per set size.
  network_of.assign(n_sets, -1);
  std::vector<bool> network_member(channels, false);  // its finiteness is checked on the network path
  if (plan.op == RefOperator::median) {
    std::vector<int> by_size(kMaxNetworkInputs + 1, -1);
    for (size_t k = 0; k < n_sets; k++) {
      const size_t n = plan.sets[k].size();
      if (n < 2 || n > size_t(kMaxNetworkInputs)) continue;  // one channel (a single reference) is its own median
      if (by_size[n] < 0) by_size[n] = int(networks.size()), networks.push_back(median_network(int(n)));
      network_of[k] = by_size[n];
      for (int c : plan.sets[k]) network_member[size_t(c)] = true;
    }
  }
  for (size_t c = 0; c < channels; c++)
    if (network_member[c]) checked.push_back(int(c));

  // Every channel re-referenced by set 0 (global CMR): the subtraction is one vectorisable loop.
  one_set_for_all = n_sets == 1 && std::all_of(plan.set_of_channel.begin(), plan.set_of_channel.end(), [](int k) { return k == 0; });
}

RowReference::RowReference(const PreparedReference& p)
    : p_(p),
      values_(p.largest),
      scratch_(p.largest),
      stat_(p.plan.sets.size() * kNetworkRows),
      rows_t_(p.networks.empty() ? 0 : p.channels * kNetworkRows),
      medians_(p.plan.sets.size()) {}

// Set k's statistic for one row, into stat[k·R + j].
void RowReference::scalar_stat(const float* row, size_t k, size_t j) {
  const auto& set = p_.plan.sets[k];
  // A set of all channels in order (global CMR without exclusions) is the row itself.
  const float* v = row;
  if (!p_.whole_row[k]) {
    for (size_t i = 0; i < set.size(); i++) values_[i] = row[set[i]];
    v = values_.data();
  }
  // The median checks finiteness in its own pass over the row (NaN for a row that is not finite).
  const bool median = p_.plan.op == RefOperator::median;
  const float stat = median ? medians_[k](v, set.size(), scratch_.data()) : all_finite(v, set.size()) ? mean_of(v, set.size()) : NAN;
  if (std::isnan(stat)) throw DspError("NON_FINITE_INPUT", "the data to re-reference contain NaN or infinite samples");
  stat_[k * kNetworkRows + j] = stat;
}

void RowReference::subtract(float* row, size_t j) {
  const size_t channels = p_.channels;
  if (p_.one_set_for_all) {
    subtract_all(row, channels, stat_[j]);
    return;
  }
  for (size_t c = 0; c < channels; c++) {
    const int k = p_.plan.set_of_channel[c];
    if (k >= 0) row[c] = row[c] - stat_[size_t(k) * kNetworkRows + j];
  }
}

void RowReference::apply(float* data, size_t rows, size_t stride) {
  constexpr size_t R = kNetworkRows;
  const size_t channels = p_.channels, n_sets = p_.plan.sets.size();
  size_t t = 0;
  if (!p_.networks.empty()) {
    for (; t + R <= rows; t += R) {
      float* block = data + t * stride;
      for (size_t j = 0; j < R; j++)
        for (size_t c = 0; c < channels; c++) rows_t_[c * R + j] = block[j * stride + c];
      for (int c : p_.checked)
        if (!all_finite(rows_t_.data() + size_t(c) * R, R)) throw DspError("NON_FINITE_INPUT", "the data to re-reference contain NaN or infinite samples");
      for (size_t k = 0; k < n_sets; k++) {
        if (p_.network_of[k] >= 0)
          network_medians(p_.networks[size_t(p_.network_of[k])], rows_t_.data(), p_.plan.sets[k].data(), stat_.data() + k * R);
        else
          for (size_t j = 0; j < R; j++) scalar_stat(block + j * stride, k, j);
      }
      for (size_t j = 0; j < R; j++) subtract(block + j * stride, j);
    }
  }
  for (; t < rows; t++) {
    float* row = data + t * stride;
    for (size_t k = 0; k < n_sets; k++) scalar_stat(row, k, 0);
    subtract(row, 0);
  }
}

void common_reference(float* data, size_t rows, size_t channels, const ReferencePlan& plan, int workers) {
  const PreparedReference prepared(plan, channels);
  // A few blocks per worker for balance, of at least 256 rows: a median row costs ~0.4 µs, so a
  // block is ~100 µs of work against a few µs to hand it to a worker and start its median tracker
  // cold. A live chunk (~600 rows) splits too.
  const int w = std::max(workers, 1);
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(w) * 4, rows / 256));
  pool_for_this_thread(w).parallel_for(int(blocks), [&](int b) {
    const size_t r0 = rows * size_t(b) / blocks, r1 = rows * size_t(b + 1) / blocks;
    RowReference(prepared).apply(data + r0 * channels, r1 - r0, channels);
  });
}

}  // namespace probedeck

// Common referencing on time-major float32 data, in place: each channel minus the median (or mean)
// of its reference set at the same sample. Sets are prepared once per layout (global, per group,
// a local annulus, a single channel); excluded channels are never in a set.
#pragma once
#include <cstddef>
#include <vector>

#include "median.hpp"
#include "median_network.hpp"
#include "work_buffer.hpp"

namespace probedeck {

enum class RefOperator { median, mean };

struct ReferencePlan {
  RefOperator op = RefOperator::median;
  std::vector<std::vector<int>> sets;  // channel indices per reference set
  std::vector<int> set_of_channel;     // per channel: the set it subtracts, or -1 to leave it as is
};

/** A plan checked against the channel count, with what every row of it needs made once (its sorting networks). */
struct PreparedReference {
  PreparedReference(const ReferencePlan& plan, size_t channels);
  const ReferencePlan& plan;
  size_t channels;
  size_t largest = 0;
  std::vector<bool> whole_row;  // per set: all channels in order, so the row itself is the set
  std::vector<int> network_of;  // per set: its sorting network, or −1
  std::vector<MedianNetwork> networks;
  std::vector<int> checked;  // channels in a network's set, whose finiteness the network path checks
  bool one_set_for_all = false;
};

/**
 * One thread's referencing of consecutive rows, in place. Its median trackers stay warm from one
 * apply() to the next, so a caller that produces rows a few at a time (the FIR phase shift's
 * batches, still in L1) references them where they are, with no pass of its own over memory.
 */
class RowReference {
 public:
  explicit RowReference(const PreparedReference& prepared);
  /** Rows [0, rows) at data + t·stride, each `prepared.channels` values. */
  void apply(float* data, size_t rows, size_t stride);

 private:
  void scalar_stat(const float* row, size_t k, size_t j);
  void subtract(float* row, size_t j);
  const PreparedReference& p_;
  WorkBuffer<float> values_, scratch_, stat_, rows_t_;
  std::vector<MedianTracker> medians_;
};

/** Splits rows into contiguous time blocks over the caller's inner pool; bit-exact for any worker count. */
void common_reference(float* data, size_t rows, size_t channels, const ReferencePlan& plan, int workers);

}  // namespace probedeck

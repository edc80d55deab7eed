// Common referencing on time-major float32 data, in place: each channel minus the median (or mean)
// of its reference set at the same sample. Sets are prepared once per layout (global, per group,
// a local annulus, a single channel); excluded channels are never in a set.
#pragma once
#include <cstddef>
#include <vector>

namespace probedeck {

enum class RefOperator { median, mean };

struct ReferencePlan {
  RefOperator op = RefOperator::median;
  std::vector<std::vector<int>> sets;  // channel indices per reference set
  std::vector<int> set_of_channel;     // per channel: the set it subtracts, or -1 to leave it as is
};

/** Splits rows into contiguous time blocks over the caller's inner pool; bit-exact for any worker count. */
void common_reference(float* data, size_t rows, size_t channels, const ReferencePlan& plan, int workers);

}  // namespace probedeck

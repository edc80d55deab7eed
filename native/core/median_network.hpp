// Medians of small channel sets (a local annulus: a few to a few dozen neighbours) for sixteen rows
// at once, one row per SIMD lane, by a sorting network cut down to the middle ranks. A network's
// compare-exchanges do not depend on the data: no branch mispredicts, where selecting among a few
// dozen values mispredicts most of its branches, and sixteen medians cost about what one did.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace probedeck {

/** Sets up to this size take the network; larger ones (a shank, a whole probe) the MedianTracker. */
constexpr int kMaxNetworkInputs = 64;

/** Rows a network runs at once. */
constexpr size_t kNetworkRows = 16;

/**
 * Compare-exchanges on registers 0…inputs−1 (min to `lo`, max to `hi`), after which register
 * `low_rank` holds the ((n−1)/2)-th smallest input and `high_rank` the (n/2)-th: numpy's median is
 * the first for an odd count, the float32 mean of both for an even one.
 */
struct MedianNetwork {
  int inputs = 0;
  std::vector<std::pair<uint8_t, uint8_t>> steps;
  int low_rank = 0, high_rank = 0;
};

/** Batcher's odd–even merge sort for the next power of two, padded with ±∞, reduced to what the middle ranks need. */
MedianNetwork median_network(int inputs);

/**
 * The medians of one set for kNetworkRows consecutive rows. `rows` holds them transposed: channel
 * c's values at rows + kNetworkRows·c; `members` are the set's channels. Writes the medians to out.
 */
void network_medians(const MedianNetwork& net, const float* rows, const int* members, float* out);

}  // namespace probedeck

#include "median_network.hpp"

#include <algorithm>
#include <cstring>

#include "cpu_features.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"  // the vectors never cross a call
#endif

namespace probedeck {

MedianNetwork median_network(int inputs) {
  MedianNetwork net;
  net.inputs = inputs;
  int n = 1;
  while (n < inputs) n *= 2;
  // Where each wire's value is: a register, or a padding constant. Padding splits evenly between −∞
  // and +∞ (−∞ first), so the middle ranks of the inputs are the padded list's ranks shifted by the −∞s.
  constexpr int kNeg = -1, kPos = -2;
  const int neg = (n - inputs) / 2;
  std::vector<int> at(static_cast<size_t>(n));
  for (int w = 0; w < n; w++) at[size_t(w)] = w < inputs ? w : w < inputs + neg ? kNeg : kPos;
  std::vector<std::pair<uint8_t, uint8_t>> all;
  auto exchange = [&](int i, int j) {  // min to wire i, max to wire j
    int &a = at[size_t(i)], &b = at[size_t(j)];
    const bool ca = a < 0, cb = b < 0;
    if (ca && cb) {
      if (a == kPos && b == kNeg) std::swap(a, b);
    } else if (ca) {
      if (a == kPos) std::swap(a, b);  // x vs +∞: x is the min
    } else if (cb) {
      if (b == kNeg) std::swap(a, b);  // x vs −∞: −∞ is the min
    } else {
      all.emplace_back(uint8_t(a), uint8_t(b));  // registers a, b keep their wires: min into a, max into b
    }
  };
  // Batcher's odd–even merge sort (Knuth 5.3.4, iterative form).
  for (int p = 1; p < n; p *= 2)
    for (int k = p; k >= 1; k /= 2)
      for (int j = k % p; j + k < n; j += 2 * k)
        for (int i = 0; i < std::min(k, n - j - k); i++)
          if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) exchange(i + j, i + j + k);
  net.low_rank = at[size_t(neg + (inputs - 1) / 2)];
  net.high_rank = at[size_t(neg + inputs / 2)];
  // Keep only the exchanges the two middle registers depend on, walking back from the end.
  std::vector<bool> needed(size_t(inputs), false);
  needed[size_t(net.low_rank)] = needed[size_t(net.high_rank)] = true;
  for (size_t s = all.size(); s-- > 0;) {
    const auto [a, b] = all[s];
    if (!needed[a] && !needed[b]) continue;
    needed[a] = needed[b] = true;
    net.steps.push_back(all[s]);
  }
  std::reverse(net.steps.begin(), net.steps.end());
  return net;
}

namespace {

typedef float v8f __attribute__((vector_size(32)));

// Two vectors (16 rows) a register: each step's loads and stores then carry twice the work, and the
// two halves' independent min/max overlap the latency of forwarding a register through memory.
PROBEDECK_INLINE void network_body(const MedianNetwork& net, const float* rows, const int* members, float* out) {
  struct Pair {
    v8f lo, hi;
  };
  Pair r[kMaxNetworkInputs];
  for (int i = 0; i < net.inputs; i++) std::memcpy(&r[i], rows + size_t(members[i]) * kNetworkRows, sizeof(Pair));
  for (const auto& [a, b] : net.steps) {
    const Pair x = r[a], y = r[b];
    r[a] = {x.lo < y.lo ? x.lo : y.lo, x.hi < y.hi ? x.hi : y.hi};
    r[b] = {x.lo < y.lo ? y.lo : x.lo, x.hi < y.hi ? y.hi : x.hi};
  }
  Pair m = r[net.high_rank];
  if (net.low_rank != net.high_rank) m = {(r[net.low_rank].lo + m.lo) / 2.0f, (r[net.low_rank].hi + m.hi) / 2.0f};
  std::memcpy(out, &m, sizeof m);
}

#if defined(PROBEDECK_X86_DISPATCH)
__attribute__((target("avx2"))) void network_avx2(const MedianNetwork& net, const float* rows, const int* members, float* out) {
  network_body(net, rows, members, out);
}
#endif

}  // namespace

void network_medians(const MedianNetwork& net, const float* rows, const int* members, float* out) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return network_avx2(net, rows, members, out);
#endif
  network_body(net, rows, members, out);
}

}  // namespace probedeck

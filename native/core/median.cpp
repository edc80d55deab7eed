#include "median.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cpu_features.hpp"
#if defined(PROBEDECK_X86_DISPATCH)
#include <immintrin.h>
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"  // the vectors never cross a call
#endif

namespace probedeck {

namespace {

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

// How many of v are < p (strict) or <= p: 8 lanes a step, no branches.
PROBEDECK_INLINE size_t count_below_body(const float* v, size_t n, float p, bool or_equal) {
  v8i acc{};
  size_t i = 0;
  const v8f pv = v8f{} + p;
  for (; i + 8 <= n; i += 8) {
    v8f x;
    std::memcpy(&x, v + i, sizeof x);
    acc -= or_equal ? (x <= pv) : (x < pv);  // true lanes are −1
  }
  size_t c = 0;
  for (int j = 0; j < 8; j++) c += size_t(acc[j]);
  for (; i < n; i++) c += or_equal ? v[i] <= p : v[i] < p;
  return c;
}

#if defined(PROBEDECK_X86_DISPATCH)
__attribute__((target("avx2"))) size_t count_below_avx2(const float* v, size_t n, float p, bool or_equal) { return count_below_body(v, n, p, or_equal); }
#endif

size_t count_below(const float* v, size_t n, float p, bool or_equal) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return count_below_avx2(v, n, p, or_equal);
#endif
  return count_below_body(v, n, p, or_equal);
}

// Exponent bits all ones = NaN or ±inf; an integer OR-reduction vectorises where a float one cannot.
PROBEDECK_INLINE bool all_finite_body(const float* v, size_t n) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t b;
    std::memcpy(&b, v + i, 4);
    bad |= uint32_t((b & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

#if defined(PROBEDECK_X86_DISPATCH)
__attribute__((target("avx2"))) bool all_finite_avx2(const float* v, size_t n) { return all_finite_body(v, n); }
#endif

}  // namespace

bool all_finite(const float* v, size_t n) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return all_finite_avx2(v, n);
#endif
  return all_finite_body(v, n);
}

namespace {

// The mean of v with each value first clipped into [lo, hi], in any summation order (a guess only:
// it moves the median's window, whose answer is exact wherever it lands): 8 lanes a step.
PROBEDECK_INLINE float clipped_mean_body(const float* v, size_t n, float lo, float hi) {
  // Four sums: one would chain every add behind the last (48 adds of 3–4 cycles for 384 channels).
  v8f acc[4] = {};
  const v8f vlo = v8f{} + lo, vhi = v8f{} + hi;
  const auto clip = [&](const float* p) {
    v8f x;
    std::memcpy(&x, p, sizeof x);
    x = x < vlo ? vlo : x;
    return x > vhi ? vhi : x;
  };
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; k++) acc[k] += clip(v + i + 8 * k);
  for (; i + 8 <= n; i += 8) acc[0] += clip(v + i);
  const v8f all = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  float sum = 0.0f;
  for (int j = 0; j < 8; j++) sum += all[j];
  for (; i < n; i++) sum += std::clamp(v[i], lo, hi);
  return sum / float(n);
}

#if defined(PROBEDECK_X86_DISPATCH)
__attribute__((target("avx2"))) float clipped_mean_avx2(const float* v, size_t n, float lo, float hi) { return clipped_mean_body(v, n, lo, hi); }
#endif

float clipped_mean(const float* v, size_t n, float lo, float hi) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return clipped_mean_avx2(v, n, lo, hi);
#endif
  return clipped_mean_body(v, n, lo, hi);
}

// The k-th smallest value: quickselect with a median-of-3 pivot and branch-free partitions.
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

float mean_of_two(float a, float b) { return (a + b) / 2.0f; }

float median_by_select(const float* v, size_t n, float* scratch) {
  std::copy(v, v + n, scratch);
  const size_t mid = n / 2;
  const float hi = select_k(scratch, n, mid);
  if (n % 2 == 1) return hi;
  return mean_of_two(*std::max_element(scratch, scratch + mid), hi);
}

constexpr size_t kSample = 32;

// Bitonic sorting network: its compare-exchanges do not depend on the data, so no branch mispredicts
// (std::sort of 32 random values costs more than the rest of the median).
void sort_network(float* s) {
  for (size_t k = 2; k <= kSample; k *= 2)
    for (size_t j = k / 2; j > 0; j /= 2)
      for (size_t i = 0; i < kSample; i++) {
        const size_t l = i ^ j;
        if (l <= i) continue;
        const float a = s[i], b = s[l], lo = std::min(a, b), hi = std::max(a, b);
        const bool up = (i & k) == 0;
        s[i] = up ? lo : hi;
        s[l] = up ? hi : lo;
      }
}
// Below this, quickselect: a shank's 96 channels (a 4-shank probe's per-shank reference) still take
// the window, 2.6× faster than selecting; smaller sets take the sorting network (median_network.hpp).
constexpr size_t kMinForSampling = 64;

}  // namespace

// Bracket the middle ranks between two values from a sorted sample of 32, narrowed by binary search
// with vector counting passes (~50 cycles each), then sort only the few values inside the bracket.
// Any input is exact: a bracket that misses falls back to quickselect.
float median_of(const float* v, size_t n, float* scratch) {
  if (n < kMinForSampling) return median_by_select(v, n, scratch);
  const size_t k_lo = (n - 1) / 2, k_hi = n / 2;
  float s[kSample];
  for (size_t i = 0; i < kSample; i++) s[i] = v[(2 * i + 1) * n / (2 * kSample)];
  sort_network(s);

  // a: the largest sample with fewer than k_lo + 1 values strictly below it (or none: −∞).
  int lo = -1, hi = int(kSample) - 1;  // invariant: s[lo] qualifies (lo = −1: −∞), s[hi + 1..] do not
  while (lo < hi) {
    const int m = (lo + hi + 1) / 2;
    if (count_below(v, n, s[m], false) <= k_lo) lo = m; else hi = m - 1;
  }
  // b: the smallest sample with more than k_hi values at or below it (or none: +∞).
  int lo2 = std::max(lo, 0), hi2 = int(kSample);  // s[hi2] qualifies (kSample: +∞)
  while (lo2 < hi2) {
    const int m = (lo2 + hi2) / 2;
    if (count_below(v, n, s[m], true) > k_hi) hi2 = m; else lo2 = m + 1;
  }
  const bool has_a = lo >= 0, has_b = hi2 < int(kSample);
  const float a = has_a ? s[lo] : 0.f, b = has_b ? s[hi2] : 0.f;
  // Values in [a, b], in any order; below_a counts those < a, so the wanted ranks shift by it.
  size_t m = 0, below_a = 0;
  for (size_t i = 0; i < n; i++) {
    const float x = v[i];
    const bool above = !has_a || x >= a, below = !has_b || x <= b;
    scratch[m] = x;
    m += above & below;
    below_a += !above;
  }
  if (m == 0 || below_a > k_lo || below_a + m <= k_hi) return median_by_select(v, n, scratch);  // cannot happen; kept for safety
  const float hi_v = select_k(scratch, m, k_hi - below_a);
  if (n % 2 == 1) return hi_v;
  return mean_of_two(*std::max_element(scratch, scratch + (k_lo - below_a) + 1), hi_v);
}

// The values past the last whole vector, one at a time; returns the count gathered, sets `below`,
// and clears `finite` for NaN or ±inf.
static inline size_t gather_tail(const float* v, size_t i, size_t n, float lo, float hi, float* out, size_t m, size_t b, size_t& below, bool& finite) {
  for (; i < n; i++) {
    const float x = v[i];
    out[m] = x;
    m += (x >= lo) & (x <= hi);
    b += x < lo;
    finite &= std::isfinite(x);
  }
  below = b;
  return m;
}

// Values of v in [lo, hi] copied to out (in order), how many are below lo, and whether all are
// finite (x·0 is NaN exactly for NaN and ±inf; OR-ing the products keeps a NaN's bits: two
// operations a vector in the pass that reads the row anyway, where a pass of its own cost a fifth
// of a global median row). SSE2 is in every
// x86-64: four compares make a 4-bit mask, a table gives the lanes to keep, four unconditional
// stores write them (the spare ones are overwritten next; they never pass index i + 3 < n, as at
// most i values precede), so there is no branch per value.
static size_t gather_window_baseline(const float* v, size_t n, float lo, float hi, float* out, size_t& below, bool& finite) {
  size_t m = 0, i = 0, b = 0;
  finite = true;
#if defined(__SSE2__)
  static constexpr uint8_t kKeep[16][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0}, {1, 2, 0, 0}, {0, 1, 2, 0},
                                           {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0}, {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3}};
  static constexpr uint8_t kCount[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
  const __m128 lov = _mm_set1_ps(lo), hiv = _mm_set1_ps(hi);
  __m128i under = _mm_setzero_si128();
  __m128 poison = _mm_setzero_ps();
  for (; i + 4 <= n; i += 4) {
    const __m128 x = _mm_loadu_ps(v + i);
    poison = _mm_or_ps(poison, _mm_mul_ps(x, _mm_setzero_ps()));
    const int mask = _mm_movemask_ps(_mm_and_ps(_mm_cmpge_ps(x, lov), _mm_cmple_ps(x, hiv)));
    under = _mm_sub_epi32(under, _mm_castps_si128(_mm_cmplt_ps(x, lov)));  // true lanes are −1
    const uint8_t* k = kKeep[mask];
    out[m] = v[i + k[0]];
    out[m + 1] = v[i + k[1]];
    out[m + 2] = v[i + k[2]];
    out[m + 3] = v[i + k[3]];
    m += kCount[mask];
  }
  alignas(16) int32_t u[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(u), under);
  b = size_t(u[0]) + size_t(u[1]) + size_t(u[2]) + size_t(u[3]);
  finite = _mm_movemask_ps(_mm_cmpunord_ps(poison, poison)) == 0;
#endif
  return gather_tail(v, i, n, lo, hi, out, m, b, below, finite);
}

#if defined(PROBEDECK_X86_DISPATCH)
// Lane indices that pack the set lanes of an 8-bit mask to the front, and how many there are.
struct PackTable {
  alignas(32) uint32_t lanes[256][8];
  uint8_t count[256];
  PackTable() {
    for (int mask = 0; mask < 256; mask++) {
      int k = 0;
      for (int j = 0; j < 8; j++)
        if (mask >> j & 1) lanes[mask][k++] = uint32_t(j);
      for (int j = k; j < 8; j++) lanes[mask][j] = 0;
      count[mask] = uint8_t(k);
    }
  }
};
const PackTable kPack;

// The same with AVX2: eight values a step, packed by one lane permutation and written by one store
// (the spare lanes are overwritten next and stay below index i + 8 ≤ n, as above).
__attribute__((target("avx2"))) static size_t gather_window_avx2(const float* v, size_t n, float lo, float hi, float* out, size_t& below, bool& finite) {
  size_t m = 0, i = 0, b = 0;
  const __m256 lov = _mm256_set1_ps(lo), hiv = _mm256_set1_ps(hi);
  __m256i under = _mm256_setzero_si256();
  __m256 poison = _mm256_setzero_ps();
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(v + i);
    poison = _mm256_or_ps(poison, _mm256_mul_ps(x, _mm256_setzero_ps()));
    const int mask = _mm256_movemask_ps(_mm256_and_ps(_mm256_cmp_ps(x, lov, _CMP_GE_OQ), _mm256_cmp_ps(x, hiv, _CMP_LE_OQ)));
    under = _mm256_sub_epi32(under, _mm256_castps_si256(_mm256_cmp_ps(x, lov, _CMP_LT_OQ)));
    const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPack.lanes[mask]));
    _mm256_storeu_ps(out + m, _mm256_permutevar8x32_ps(x, idx));
    m += kPack.count[mask];
  }
  alignas(32) int32_t u[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(u), under);
  for (int j = 0; j < 8; j++) b += size_t(u[j]);
  finite = _mm256_movemask_ps(_mm256_cmp_ps(poison, poison, _CMP_UNORD_Q)) == 0;
  return gather_tail(v, i, n, lo, hi, out, m, b, below, finite);
}
#endif

static size_t gather_window(const float* v, size_t n, float lo, float hi, float* out, size_t& below, bool& finite) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return gather_window_avx2(v, n, lo, hi, out, below, finite);
#endif
  return gather_window_baseline(v, n, lo, hi, out, below, finite);
}

constexpr size_t kRankMax = 64;

#if defined(PROBEDECK_X86_DISPATCH)
// One pass of select_two_by_rank over NV vectors of candidates at a[i…): each value of a is broadcast
// once and compared against all of them (NV ≤ 5 keeps candidates and counts in the 16 registers), and
// the candidates that qualify for rank k1 or k2 are folded into best1 and best2.
template <int NV>
__attribute__((target("avx2"), always_inline)) inline void rank_pass(const float* a, size_t m, size_t i, __m256i K1, __m256i K2, __m256& best1,
                                                                      __m256& best2) {
  const __m256 none = _mm256_set1_ps(-__builtin_inff());
  __m256 c[NV];
  __m256i below[NV];
  for (int v = 0; v < NV; v++) c[v] = _mm256_loadu_ps(a + i + 8 * size_t(v)), below[v] = _mm256_setzero_si256();
  for (size_t j = 0; j < m; j++) {
    const __m256 x = _mm256_broadcast_ss(a + j);
    for (int v = 0; v < NV; v++) below[v] = _mm256_sub_epi32(below[v], _mm256_castps_si256(_mm256_cmp_ps(x, c[v], _CMP_LT_OQ)));
  }
  for (int v = 0; v < NV; v++) {
    best1 = _mm256_max_ps(best1, _mm256_blendv_ps(none, c[v], _mm256_castsi256_ps(_mm256_cmpgt_epi32(K1, below[v]))));
    best2 = _mm256_max_ps(best2, _mm256_blendv_ps(none, c[v], _mm256_castsi256_ps(_mm256_cmpgt_epi32(K2, below[v]))));
  }
}

// The k1-th and k2-th smallest of a[0, m), m ≤ kRankMax, by counting ranks: the k-th smallest is the
// largest value with at most k values below it (ties included). Up to forty candidates at a time
// (rank_pass), each value of a broadcast once per pass: m²/8 compares, no branch on the data, where
// sorting a few dozen values mispredicts most of its branches. a[m, padded) is overwritten (padded ≤
// kRankMax, and the caller's scratch holds at least that).
__attribute__((target("avx2"))) static void select_two_by_rank(float* a, size_t m, size_t k1, size_t k2, float& v1, float& v2) {
  const size_t padded = (m + 7) / 8 * 8;
  for (size_t j = m; j < padded; j++) a[j] = __builtin_inff();  // never below a finite value
  // Lanes with at most k values below them qualify (padding lanes have all m below, never ≤ k < m).
  const __m256i K1 = _mm256_set1_epi32(int(k1) + 1), K2 = _mm256_set1_epi32(int(k2) + 1);
  __m256 best1 = _mm256_set1_ps(-__builtin_inff()), best2 = best1;
  for (size_t i = 0; i < padded;) {
    switch (std::min<size_t>((padded - i) / 8, 5)) {
      case 5: rank_pass<5>(a, m, i, K1, K2, best1, best2), i += 40; break;
      case 4: rank_pass<4>(a, m, i, K1, K2, best1, best2), i += 32; break;
      case 3: rank_pass<3>(a, m, i, K1, K2, best1, best2), i += 24; break;
      case 2: rank_pass<2>(a, m, i, K1, K2, best1, best2), i += 16; break;
      default: rank_pass<1>(a, m, i, K1, K2, best1, best2), i += 8; break;
    }
  }
  alignas(32) float b1[8], b2[8];
  _mm256_store_ps(b1, best1);
  _mm256_store_ps(b2, best2);
  v1 = *std::max_element(b1, b1 + 8);
  v2 = *std::max_element(b2, b2 + 8);
}
#endif

bool MedianTracker::try_window(const float* v, size_t n, float* scratch, float lo, float hi, float& out, size_t& gathered, int& side) {
  const size_t k_lo = (n - 1) / 2, k_hi = n / 2;
  size_t below = 0;
  bool finite = true;
  const size_t m = gather_window(v, n, lo, hi, scratch, below, finite);
  gathered = m;
  if (!finite) {
    side = 0, out = std::numeric_limits<float>::quiet_NaN();
    return true;
  }
  side = below > k_lo ? -1 : below + m <= k_hi ? 1 : 0;
  if (side != 0) return false;
#if defined(PROBEDECK_X86_DISPATCH)
  if (m <= kRankMax && cpu_has_avx2_fma()) {
    float lo_v = 0.0f, hi_v = 0.0f;
    select_two_by_rank(scratch, m, k_lo - below, k_hi - below, lo_v, hi_v);
    out = n % 2 == 1 ? hi_v : mean_of_two(lo_v, hi_v);
    return true;
  }
#endif
  const float hi_v = select_k(scratch, m, k_hi - below);
  out = n % 2 == 1 ? hi_v : mean_of_two(*std::max_element(scratch, scratch + (k_lo - below) + 1), hi_v);
  return true;
}

float MedianTracker::operator()(const float* v, size_t n, float* scratch) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  if (n < kMinForSampling) return all_finite(v, n) ? median_by_select(v, n, scratch) : kNaN;
  // ~32 values in the window: few to select among (the selection costs more than the gathering
  // pass), and on band-passed data the next median is still inside ~95% of the time (~75% with 16);
  // of the rest, all but ~1 in 10⁴ rows are found by the second, one-sided window.
  constexpr float kWanted = 32.0f;
  // When the common mode moves, the window is centred where the last median would be if it moved as
  // the row's mean did: a common mode shifts every channel, and with them the median, often by more
  // than the spread of the middle values (on the simulator's band-passed rows the median left a
  // window around the last one 76% of the time). Values are clipped to kReach half-widths around the
  // last median first, so that a spike on a few channels, which leaves the median where it was, does
  // not move the guess. The mean costs a pass (~20% of a row's median), so it is taken after a miss,
  // and kept while its guesses stay well closer than the last median (errors averaged over ~16 rows):
  // misses fell from 76% to 5% on the simulator's rows; on band-passed noise, with or without spikes,
  // the last median guesses nearly as well, and the mean is taken on ~1 row in 5.
  constexpr float kReach = 32.0f, kAverage = 1.0f / 16.0f, kBetter = 0.5f, kMaxHalfWidth = 1e30f;
  const float w = half_width_;
  const bool guided = primed_ && w > 0.0f;
  const auto row_mean = [&](float around, float width) { return clipped_mean(v, n, around - kReach * width, around + kReach * width); };
  const bool by_mean = guided && mean_known_;
  float mean = by_mean ? row_mean(last_, w) : 0.0f;
  const float centre = by_mean ? last_ + (mean - last_mean_) : last_;
  float med;
  size_t got = 0;
  int side = 0;
  const bool hit = guided && try_window(v, n, scratch, centre - w, centre + w, med, got, side);
  if (hit && std::isnan(med)) return kNaN;  // the row is not finite; the tracker stays as it was
  if (hit) {
    half_width_ *= std::clamp(kWanted / float(std::max<size_t>(got, 1)), 0.5f, 2.0f);
  } else if (guided &&
             // The middle ranks left the window [centre − w, centre + w] on one side, mostly by less
             // than w: look there, 2w past its edge and back over 1.5w of it (the two ranks may
             // straddle the edge), rather than gather ~8× as many values around the guess.
             try_window(v, n, scratch, side < 0 ? centre - 3.0f * w : centre - 0.5f * w, side < 0 ? centre + 0.5f * w : centre + 3.0f * w, med, got, side)) {
    // Finite: the first window's pass checked every value of the row.
    half_width_ *= 1.25f;
  } else {
    if (!all_finite(v, n)) return kNaN;
    med = median_of(v, n, scratch);
    // First row, or a jump: a window as wide as the miss, or a start from the value spread.
    const float move = primed_ ? std::abs(med - centre) : 0.0f;
    const float spread = std::abs(v[0] - med) + std::abs(v[n / 2] - med) + std::abs(v[n - 1] - med);
    half_width_ = std::max({half_width_ * 2.0f, move * 1.5f, spread * (kWanted / float(n)), std::abs(med) * 1e-6f, 1e-6f});
  }
  // Capped: values near float32's end make the terms above infinite, and an infinite width never narrows.
  half_width_ = std::min(half_width_, kMaxHalfWidth);
  if (by_mean) {
    err_last_ += kAverage * (std::abs(med - last_) - err_last_);
    err_mean_ += kAverage * (std::abs(med - centre) - err_mean_);
  }
  const bool after_miss = guided && !hit && !by_mean;
  // Clipped as the next row's will be (around this median, with the width it starts from), so the
  // difference of the two means is the common mode's move, not that of the clipping.
  if (after_miss) mean = row_mean(med, half_width_), err_last_ = err_mean_ = 0.0f;
  last_ = med;
  last_mean_ = mean;
  mean_known_ = after_miss || (by_mean && err_mean_ <= kBetter * err_last_);
  primed_ = true;
  return med;
}

}  // namespace probedeck

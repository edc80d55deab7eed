// The float32 passes: Form::butterworth for the Butterworth low-, high- and band-passes we design
// (their numerators known at compile time, one build per pattern of sections), else
// Form::normalised, else (a gain past section 0) Form::scipy. On x86-64 a second build with AVX2 and
// FMA is chosen at run time when the CPU has both: FMA changes float32 rounding by less than float32
// itself already costs, and saves a third of the arithmetic.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "sos_kernel.hpp"
#include "sosfilt.hpp"
#include "cpu_features.hpp"

namespace probedeck {

namespace {

// Form::normalised coefficients, when the gain is all in section 0 (always, for the filters we design).
bool normalise(const float* coef, int ns, float* out) {
  double gain = 1.0;
  for (int s = 0; s < ns; s++) {
    const float* c = coef + s * 5;
    // Only section 0 may carry a gain (as zpk2sos builds them): the states of earlier sections would
    // otherwise need scaling by the later b0s to match scipy's sosfilt_zi.
    if (c[0] == 0.0f || (s > 0 && c[0] != 1.0f)) return false;
    out[s * 5 + 0] = 1.0f;
    out[s * 5 + 1] = float(double(c[1]) / c[0]);
    out[s * 5 + 2] = float(double(c[2]) / c[0]);
    out[s * 5 + 3] = c[3];
    out[s * 5 + 4] = c[4];
    gain *= c[0];
  }
  out[0] = float(gain);
  return true;
}

// The section's numerator as a Numerator, or 0 when it is none of them. The ratios come from the
// float coefficients: a tolerance of a few float32 ulps, never more than float32 itself loses.
uint32_t numerator(const float* norm) {
  const float c1 = norm[1], c2 = norm[2], a2 = norm[4];
  const auto near = [](float v, float want) { return std::abs(v - want) <= 4e-7f * std::max(1.0f, std::abs(want)); };
  if (near(c2, 1.0f) && near(c1, 2.0f)) return kernel::two_at_minus_one;
  if (near(c2, 1.0f) && near(c1, -2.0f)) return kernel::two_at_plus_one;
  if (near(c2, -1.0f) && near(c1, 0.0f)) return kernel::one_at_each;
  if (c2 == 0.0f && a2 == 0.0f && near(c1, 1.0f)) return kernel::one_at_minus_one;
  if (c2 == 0.0f && a2 == 0.0f && near(c1, -1.0f)) return kernel::one_at_plus_one;
  return 0;
}

// The patterns scipy's zpk2sos gives Butterworth designs of orders 1–10: a band-pass n/2 sections
// 1 + 2z⁻¹ + z⁻² then (odd n) one 1 − z⁻² then n/2 of 1 − 2z⁻¹ + z⁻²; a low- or high-pass n/2 pairs
// with, for odd n, its first-order section first or last (which, depends on the corner).
constexpr uint32_t pattern(uint32_t lead, int pairs_a, int middle, int pairs_b, uint32_t a, uint32_t b, uint32_t trail) {
  uint32_t z = 0;
  int s = 0;
  const auto put = [&](uint32_t n) { z |= n << (3 * s++); };
  if (lead) put(lead);
  for (int i = 0; i < pairs_a; i++) put(a);
  if (middle) put(kernel::one_at_each);
  for (int i = 0; i < pairs_b; i++) put(b);
  if (trail) put(trail);
  return z;
}
constexpr int sections_of(uint32_t z) {
  int n = 0;
  while (z >> (3 * n)) n++;
  return n;
}
constexpr auto kPatterns = [] {
  std::array<uint32_t, 38> p{};
  size_t i = 0;
  using kernel::one_at_minus_one, kernel::one_at_plus_one, kernel::two_at_minus_one, kernel::two_at_plus_one;
  for (int n = 1; n <= 10; n++) p[i++] = pattern(0, n / 2, n % 2, n / 2, two_at_minus_one, two_at_plus_one, 0);
  for (int n = 2; n <= 10; n += 2) {
    p[i++] = pattern(0, n / 2, 0, 0, two_at_minus_one, 0, 0);
    p[i++] = pattern(0, 0, 0, n / 2, 0, two_at_plus_one, 0);
  }
  for (int n = 1; n <= 9; n += 2) {
    p[i++] = pattern(one_at_minus_one, n / 2, 0, 0, two_at_minus_one, 0, 0);
    p[i++] = pattern(one_at_plus_one, 0, 0, n / 2, 0, two_at_plus_one, 0);
    if (n > 1) {
      p[i++] = pattern(0, n / 2, 0, 0, two_at_minus_one, 0, one_at_minus_one);
      p[i++] = pattern(0, 0, 0, n / 2, 0, two_at_plus_one, one_at_plus_one);
    }
  }
  return p;
}();

template <class S>
using Pass = bool (*)(const float*, const S*, std::ptrdiff_t, float*, std::ptrdiff_t, std::ptrdiff_t, float*);

template <uint32_t Z, class S>
bool butterworth(const float* norm, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, sections_of(Z), kernel::Form::butterworth, Z>(norm, src, ss, dst, ds, rows, state);
}
#if defined(PROBEDECK_X86_DISPATCH)
template <uint32_t Z, class S>
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) bool butterworth_fma(const float* norm, const S* src, std::ptrdiff_t ss, float* dst,
                                                                                     std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, sections_of(Z), kernel::Form::butterworth, Z>(norm, src, ss, dst, ds, rows, state);
}
#endif

// The build for this pattern of numerators, or null when it is not one of kPatterns.
template <class S, size_t... I>
Pass<S> butterworth_pass(uint32_t zeros, bool fma, std::index_sequence<I...>) {
  Pass<S> found = nullptr;
#if defined(PROBEDECK_X86_DISPATCH)
  ((zeros == kPatterns[I] ? (found = fma ? &butterworth_fma<kPatterns[I], S> : &butterworth<kPatterns[I], S>) : found), ...);
#else
  ((zeros == kPatterns[I] ? (found = &butterworth<kPatterns[I], S>) : found), ...);
#endif
  return found;
}

template <class S>
PROBEDECK_INLINE bool pass_scipy(const float* coef, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, kernel::Form::scipy>(coef, ns, src, ss, dst, ds, rows, state);
}

template <class S>
PROBEDECK_INLINE bool pass_normalised(const float* norm, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, kernel::Form::normalised>(norm, ns, src, ss, dst, ds, rows, state);
}

#if defined(PROBEDECK_X86_DISPATCH)
template <class S>
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) bool pass_fma(const float* coef, int ns, bool norm, const S* src, std::ptrdiff_t ss,
                                                                              float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  if (norm) return pass_normalised(coef, ns, src, ss, dst, ds, rows, state);
  return pass_scipy(coef, ns, src, ss, dst, ds, rows, state);
}
#endif

template <class S>
bool dispatch(const float* coef, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  const bool fma = cpu_has_avx2_fma();
  float norm[kMaxSections * 5];
  const bool normalised = normalise(coef, ns, norm);
  if (normalised) {
    uint32_t zeros = 0;
    for (int s = 0; s < ns && zeros != ~0u; s++) {
      const uint32_t n = numerator(norm + s * 5);
      zeros = n == 0 ? ~0u : zeros | n << (3 * s);
    }
    if (const Pass<S> p = butterworth_pass<S>(zeros, fma, std::make_index_sequence<kPatterns.size()>())) return p(norm, src, ss, dst, ds, rows, state);
  }
#if defined(PROBEDECK_X86_DISPATCH)
  if (fma) return pass_fma(normalised ? norm : coef, ns, normalised, src, ss, dst, ds, rows, state);
#endif
  if (normalised) return pass_normalised(norm, ns, src, ss, dst, ds, rows, state);
  return pass_scipy(coef, ns, src, ss, dst, ds, rows, state);
}

}  // namespace

template <>
bool sos_pass(const float* coef, int ns, const int16_t* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return dispatch(coef, ns, src, ss, dst, ds, rows, state);
}

template <>
bool sos_pass(const float* coef, int ns, const float* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return dispatch(coef, ns, src, ss, dst, ds, rows, state);
}

}  // namespace probedeck

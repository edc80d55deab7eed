// The float32 passes: Form::delta_butterworth for the Butterworth low-, high- and band-passes we
// design (their numerators known at compile time, one build per pattern of sections), else
// Form::delta. On x86-64 a second build with AVX2 and FMA is chosen at run time when the CPU has both:
// FMA changes float32 rounding by less than float32 itself already costs, and saves arithmetic. A
// third, for AVX-512VL, runs two channel vectors side by side in its 32 registers (kernel::run's M):
// the same arithmetic per lane, so the same output as the AVX2 build, ~1.3× faster on data in cache.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "sos_kernel.hpp"
#include "sosfilt.hpp"
#include "cpu_features.hpp"

namespace probedeck {

namespace {

// The section's numerator as a Numerator, or 0 when it is none of them. c is b0 B1 b2 A1 a2
// (sos_coefs<float>); the ratios to b0 get a tolerance of a few float32 ulps, never more than float32
// itself loses.
uint32_t numerator(const float* c) {
  const float b0 = c[0], B1 = c[1] / b0, b2 = c[2] / b0, a2 = c[4];
  const auto near = [](float v, float want) { return std::abs(v - want) <= 4e-7f * std::max(1.0f, std::abs(want)); };
  if (near(b2, 1.0f) && near(B1, 4.0f)) return kernel::two_at_minus_one;
  if (near(b2, 1.0f) && near(B1, 0.0f)) return kernel::two_at_plus_one;
  if (near(b2, -1.0f) && near(B1, 0.0f)) return kernel::one_at_each;
  if (b2 == 0.0f && a2 == 0.0f && near(B1, 2.0f)) return kernel::one_at_minus_one;
  if (b2 == 0.0f && a2 == 0.0f && near(B1, 0.0f)) return kernel::one_at_plus_one;
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
bool butterworth(const float* c, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, sections_of(Z), kernel::Form::delta_butterworth, Z>(c, src, ss, dst, ds, rows, state);
}
#if defined(PROBEDECK_X86_DISPATCH)
template <uint32_t Z, class S>
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) bool butterworth_fma(const float* c, const S* src, std::ptrdiff_t ss, float* dst,
                                                                                     std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, sections_of(Z), kernel::Form::delta_butterworth, Z, true>(c, src, ss, dst, ds, rows, state);
}
template <uint32_t Z, class S>
__attribute__((target(PROBEDECK_TARGET_AVX512), optimize("fp-contract=fast"))) bool butterworth_avx512(const float* c, const S* src, std::ptrdiff_t ss,
                                                                                                     float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows,
                                                                                                     float* state) {
  return kernel::run<float, sections_of(Z), kernel::Form::delta_butterworth, Z, true, 2>(c, src, ss, dst, ds, rows, state);
}
#endif

// The build for this pattern of numerators, or null when it is not one of kPatterns.
template <class S, size_t... I>
Pass<S> butterworth_pass(uint32_t zeros, SimdBuild b, std::index_sequence<I...>) {
  Pass<S> found = nullptr;
#if defined(PROBEDECK_X86_DISPATCH)
  const auto pick = [b]<uint32_t Z>() -> Pass<S> {
    if (b == SimdBuild::avx512vl) return &butterworth_avx512<Z, S>;
    if (b == SimdBuild::avx2) return &butterworth_fma<Z, S>;
    return &butterworth<Z, S>;
  };
  ((zeros == kPatterns[I] ? (found = pick.template operator()<kPatterns[I]>()) : found), ...);
#else
  ((zeros == kPatterns[I] ? (found = &butterworth<kPatterns[I], S>) : found), ...);
#endif
  return found;
}

template <class S, bool Avx2 = false, int M = 1>
PROBEDECK_INLINE bool pass_delta(const float* c, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, kernel::Form::delta, Avx2, M>(c, ns, src, ss, dst, ds, rows, state);
}

#if defined(PROBEDECK_X86_DISPATCH)
template <class S>
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) bool pass_delta_fma(const float* c, int ns, const S* src, std::ptrdiff_t ss, float* dst,
                                                                                    std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return pass_delta<S, true>(c, ns, src, ss, dst, ds, rows, state);
}
template <class S>
__attribute__((target(PROBEDECK_TARGET_AVX512), optimize("fp-contract=fast"))) bool pass_delta_avx512(const float* c, int ns, const S* src,
                                                                                                    std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds,
                                                                                                    std::ptrdiff_t rows, float* state) {
  return pass_delta<S, true, 2>(c, ns, src, ss, dst, ds, rows, state);
}
#endif

// The pattern of a filter whose sections after the first have b0 = 1 (as zpk2sos builds them: a
// gain gathered from later sections would rescale the stages their state holds), or ~0.
uint32_t butterworth_zeros(const float* c, int ns) {
  uint32_t zeros = 0;
  for (int s = 0; s < ns; s++) {
    const uint32_t n = s > 0 && c[s * 5] != 1.0f ? 0 : numerator(c + s * 5);
    if (n == 0) return ~0u;
    zeros |= n << (3 * s);
  }
  return zeros;
}

template <class S>
bool dispatch(const float* c, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  const SimdBuild b = simd_build();
  if (const Pass<S> p = butterworth_pass<S>(butterworth_zeros(c, ns), b, std::make_index_sequence<kPatterns.size()>())) return p(c, src, ss, dst, ds, rows, state);
#if defined(PROBEDECK_X86_DISPATCH)
  if (b == SimdBuild::avx512vl) return pass_delta_avx512(c, ns, src, ss, dst, ds, rows, state);
  if (b == SimdBuild::avx2) return pass_delta_fma(c, ns, src, ss, dst, ds, rows, state);
#endif
  return pass_delta(c, ns, src, ss, dst, ds, rows, state);
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

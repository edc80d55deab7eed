// The float32 passes. On x86-64 a second build with AVX2 and FMA is chosen at run time when the CPU
// has both: FMA changes float32 rounding by less than float32 itself already costs, and saves a
// third of the arithmetic.
#include "sos_kernel.hpp"
#include "sosfilt.hpp"

namespace probedeck {

namespace {

template <class S>
bool pass_baseline(const float* coef, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, kTile<float>>(coef, ns, src, ss, dst, ds, rows, state);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
template <class S>
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) bool pass_fma(const float* coef, int ns, const S* src, std::ptrdiff_t ss,
                                                                              float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return kernel::run<float, kTile<float>>(coef, ns, src, ss, dst, ds, rows, state);
}

bool has_avx2_fma() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
}
#endif

}  // namespace

template <>
bool sos_pass(const float* coef, int ns, const int16_t* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  if (has_avx2_fma()) return pass_fma(coef, ns, src, ss, dst, ds, rows, state);
#endif
  return pass_baseline(coef, ns, src, ss, dst, ds, rows, state);
}

template <>
bool sos_pass(const float* coef, int ns, const float* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  if (has_avx2_fma()) return pass_fma(coef, ns, src, ss, dst, ds, rows, state);
#endif
  return pass_baseline(coef, ns, src, ss, dst, ds, rows, state);
}

}  // namespace probedeck

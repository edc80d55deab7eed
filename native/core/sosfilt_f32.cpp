// The float32 passes: Form::unit_c2 where every c2 is ±1 (the Butterworth designs), else
// Form::normalised. On x86-64 a second build with AVX2 and FMA is chosen at run time when the CPU
// has both: FMA changes float32 rounding by less than float32 itself already costs, and saves a third
// of the arithmetic.
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

// Every section's c2 is ±1: no first-order section, zeros at z = ±1 (Butterworth low/high/band-pass).
bool unit_c2(const float* norm, int ns) {
  for (int s = 0; s < ns; s++)
    if (norm[s * 5 + 2] != 1.0f && norm[s * 5 + 2] != -1.0f) return false;
  return true;
}

template <class S>
PROBEDECK_INLINE bool pass(const float* coef, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  float norm[kMaxSections * 5];
  if (normalise(coef, ns, norm)) {
    if (unit_c2(norm, ns)) return kernel::run<float, kernel::Form::unit_c2>(norm, ns, src, ss, dst, ds, rows, state);
    return kernel::run<float, kernel::Form::normalised>(norm, ns, src, ss, dst, ds, rows, state);
  }
  return kernel::run<float, kernel::Form::scipy>(coef, ns, src, ss, dst, ds, rows, state);
}

#if defined(PROBEDECK_X86_DISPATCH)
template <class S>
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) bool pass_fma(const float* coef, int ns, const S* src, std::ptrdiff_t ss,
                                                                              float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
  return pass(coef, ns, src, ss, dst, ds, rows, state);
}
#endif

template <class S>
bool dispatch(const float* coef, int ns, const S* src, std::ptrdiff_t ss, float* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, float* state) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return pass_fma(coef, ns, src, ss, dst, ds, rows, state);
#endif
  return pass(coef, ns, src, ss, dst, ds, rows, state);
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

#include "sosfilt.hpp"

#include <algorithm>
#include <type_traits>

#include "sos_kernel.hpp"

namespace probedeck {

namespace {

#if defined(PROBEDECK_X86_DISPATCH)
// AVX2 without FMA (the flags set -ffp-contract=off), so float64 rounding stays equal to scipy's.
template <class S, class D>
__attribute__((target("avx2"))) bool pass_avx2(const double* coef, int ns, bool unit, const S* src, std::ptrdiff_t ss, D* dst, std::ptrdiff_t ds,
                                               std::ptrdiff_t rows, double* state) {
  if (unit) return kernel::run<double, kernel::Form::scipy_unit, true>(coef, ns, src, ss, dst, ds, rows, state);
  return kernel::run<double, kernel::Form::scipy, true>(coef, ns, src, ss, dst, ds, rows, state);
}
// With AVX-512VL's 32 registers, two channel vectors side by side (the same arithmetic per lane:
// still bit for bit scipy's). No FMA here either.
template <class S, class D>
__attribute__((target("avx2,avx512f,avx512vl"))) bool pass_avx512(const double* coef, int ns, bool unit, const S* src, std::ptrdiff_t ss, D* dst,
                                                                  std::ptrdiff_t ds, std::ptrdiff_t rows, double* state) {
  if (unit) return kernel::run<double, kernel::Form::scipy_unit, true, 2>(coef, ns, src, ss, dst, ds, rows, state);
  return kernel::run<double, kernel::Form::scipy, true, 2>(coef, ns, src, ss, dst, ds, rows, state);
}
#endif

// Form::scipy_unit applies: every section after the first has b0 = 1 and b2 = ±1 exactly.
bool unit_sections(const double* coef, int ns) {
  for (int s = 1; s < ns; s++)
    if (coef[s * 5] != 1.0 || (coef[s * 5 + 2] != 1.0 && coef[s * 5 + 2] != -1.0)) return false;
  return true;
}

}  // namespace

// The float64 instantiations; float32 has its own specialisations in sosfilt_f32.cpp.
template <class T, class S, class D>
bool sos_pass(const T* coef, int ns, const S* src, std::ptrdiff_t ss, D* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, T* state) {
  static_assert(std::is_same_v<T, double>);
  const bool unit = unit_sections(coef, ns);
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx512vl()) return pass_avx512(coef, ns, unit, src, ss, dst, ds, rows, state);
  if (cpu_has_avx2_fma()) return pass_avx2(coef, ns, unit, src, ss, dst, ds, rows, state);
#endif
  if (unit) return kernel::run<double, kernel::Form::scipy_unit>(coef, ns, src, ss, dst, ds, rows, state);
  return kernel::run<double, kernel::Form::scipy>(coef, ns, src, ss, dst, ds, rows, state);
}

template bool sos_pass(const double*, int, const int16_t*, std::ptrdiff_t, double*, std::ptrdiff_t, std::ptrdiff_t, double*);
template bool sos_pass(const double*, int, const float*, std::ptrdiff_t, double*, std::ptrdiff_t, std::ptrdiff_t, double*);
template bool sos_pass(const double*, int, const double*, std::ptrdiff_t, double*, std::ptrdiff_t, std::ptrdiff_t, double*);
template bool sos_pass(const double*, int, const double*, std::ptrdiff_t, float*, std::ptrdiff_t, std::ptrdiff_t, double*);
template bool sos_pass(const double*, int, const int16_t*, std::ptrdiff_t, float*, std::ptrdiff_t, std::ptrdiff_t, double*);
template bool sos_pass(const double*, int, const float*, std::ptrdiff_t, float*, std::ptrdiff_t, std::ptrdiff_t, double*);

template <>
std::vector<double> sos_coefs(const std::vector<double>& sos) {
  std::vector<double> c;
  for (size_t s = 0; s + 6 <= sos.size(); s += 6)
    for (int i : {0, 1, 2, 4, 5}) c.push_back(sos[s + i]);
  return c;
}

template <>
std::vector<float> sos_coefs(const std::vector<double>& sos) {
  std::vector<float> c;
  for (size_t s = 0; s + 6 <= sos.size(); s += 6) {
    const double* r = sos.data() + s;
    // B1 and A1 summed before rounding: near z = 1 they are small differences of large terms.
    for (double v : {r[0], r[0] + r[1] + r[2], r[2], 1.0 + r[4] + r[5], r[5]}) c.push_back(float(v));
  }
  return c;
}

template <>
std::vector<double> step_state<double>(const double* sos, int n_sections) {
  return sosfilt_zi(sos, n_sections);
}

template <>
std::vector<double> step_state<float>(const double* sos, int n_sections) {
  std::vector<double> state(size_t(state_rows<float>(n_sections)), 0.0);
  double gain = 1.0;
  state[0] = gain;
  for (int s = 0; s < n_sections; s++) {
    const double* c = sos + s * 6;
    gain *= (c[0] + c[1] + c[2]) / (c[3] + c[4] + c[5]);
    state[size_t(s + 1) * 2] = gain;
  }
  return state;
}

std::vector<double> sosfilt_zi(const double* sos, int n_sections) {
  std::vector<double> zi(size_t(n_sections) * 2);
  double scale = 1.0;
  for (int s = 0; s < n_sections; s++) {
    const double* c = sos + s * 6;
    // lfilter_zi for a normalised biquad: solve (I - companion(a)^T) zi = b[1:] - a[1:] b0.
    const double a1 = c[4] / c[3], a2 = c[5] / c[3];
    const double b0 = c[0] / c[3], b1 = c[1] / c[3], b2 = c[2] / c[3];
    const double B0 = b1 - a1 * b0, B1 = b2 - a2 * b0;
    const double z0 = (B0 + B1) / (1.0 + a1 + a2);
    const double z1 = B1 - a2 * z0;
    zi[s * 2] = scale * z0;
    zi[s * 2 + 1] = scale * z1;
    scale *= (c[0] + c[1] + c[2]) / (c[3] + c[4] + c[5]);
  }
  return zi;
}

int sosfiltfilt_padlen(const double* sos, int n_sections) {
  int zb = 0, za = 0;
  for (int s = 0; s < n_sections; s++) {
    zb += sos[s * 6 + 2] == 0.0;
    za += sos[s * 6 + 5] == 0.0;
  }
  return 3 * (2 * n_sections + 1 - std::min(zb, za));
}

}  // namespace probedeck

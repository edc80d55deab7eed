#include "filter_design.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numeric>
#include <string>

#include "dsp_error.hpp"

namespace probedeck {

using cplx = std::complex<double>;
using cvec = std::vector<cplx>;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Zpk {
  cvec z, p;
  double k;
};

Zpk buttap(int n) {
  Zpk f{{}, {}, 1.0};
  for (int m = -n + 1; m < n; m += 2) f.p.push_back(-std::exp(cplx(0, 1) * (kPi * m / (2.0 * n))));
  return f;
}

cplx prod(const cvec& v, cplx offset, double sign) {
  cplx r(1, 0);
  for (const cplx& x : v) r *= offset + sign * x;
  return r;
}

Zpk lp2lp(const Zpk& f, double wo) {
  Zpk r{{}, {}, f.k * std::pow(wo, double(f.p.size() - f.z.size()))};
  for (auto& z : f.z) r.z.push_back(wo * z);
  for (auto& p : f.p) r.p.push_back(wo * p);
  return r;
}

Zpk lp2hp(const Zpk& f, double wo) {
  Zpk r{{}, {}, f.k * (prod(f.z, 0, -1) / prod(f.p, 0, -1)).real()};
  for (auto& z : f.z) r.z.push_back(wo / z);
  for (auto& p : f.p) r.p.push_back(wo / p);
  r.z.resize(r.z.size() + (f.p.size() - f.z.size()), cplx(0, 0));
  return r;
}

// Each root s of the scaled prototype becomes the pair s ± sqrt(s² − wo²): all the "+" roots, then
// all the "−" roots, in scipy's order. `scale` maps a prototype root to s (band-pass or band-stop).
template <class Scale>
void split_around(const cvec& in, double wo, Scale scale, cvec& out) {
  cvec lo, hi;
  for (const cplx& x : in) {
    const cplx s = scale(x);
    const cplx root = std::sqrt(s * s - wo * wo);
    lo.push_back(s + root);
    hi.push_back(s - root);
  }
  out.insert(out.end(), lo.begin(), lo.end());
  out.insert(out.end(), hi.begin(), hi.end());
}

Zpk lp2bp(const Zpk& f, double wo, double bw) {
  const size_t degree = f.p.size() - f.z.size();
  Zpk r{{}, {}, f.k * std::pow(bw, double(degree))};
  auto scale = [&](cplx x) { return x * (bw / 2); };
  split_around(f.z, wo, scale, r.z);
  split_around(f.p, wo, scale, r.p);
  r.z.resize(r.z.size() + degree, cplx(0, 0));
  return r;
}

Zpk lp2bs(const Zpk& f, double wo, double bw) {
  const size_t degree = f.p.size() - f.z.size();
  Zpk r{{}, {}, f.k * (prod(f.z, 0, -1) / prod(f.p, 0, -1)).real()};
  auto scale = [&](cplx x) { return (bw / 2) / x; };
  split_around(f.z, wo, scale, r.z);
  split_around(f.p, wo, scale, r.p);
  for (size_t i = 0; i < degree; i++) r.z.push_back(cplx(0, wo));
  for (size_t i = 0; i < degree; i++) r.z.push_back(cplx(0, -wo));
  return r;
}

Zpk bilinear(const Zpk& f, double fs) {
  const double fs2 = 2.0 * fs;
  const size_t degree = f.p.size() - f.z.size();
  Zpk r{{}, {}, f.k * (prod(f.z, fs2, -1) / prod(f.p, fs2, -1)).real()};
  for (auto& z : f.z) r.z.push_back((fs2 + z) / (fs2 - z));
  for (auto& p : f.p) r.p.push_back((fs2 + p) / (fs2 - p));
  r.z.resize(r.z.size() + degree, cplx(-1, 0));
  return r;
}

// scipy's _cplxreal: one element (positive imaginary part) per conjugate pair, then the reals.
cvec cplxreal(cvec z) {
  const double tol = 100 * std::numeric_limits<double>::epsilon();
  std::stable_sort(z.begin(), z.end(), [](cplx a, cplx b) {
    if (a.real() != b.real()) return a.real() < b.real();
    return std::abs(a.imag()) < std::abs(b.imag());
  });
  cvec zr, zp, zn;
  for (auto& x : z) {
    if (std::abs(x.imag()) <= tol * std::abs(x)) zr.push_back(cplx(x.real(), 0));
    else if (x.imag() > 0) zp.push_back(x);
    else zn.push_back(x);
  }
  if (zp.size() != zn.size()) throw DspError("DESIGN_FAILED", "filter design produced an unpaired complex root");
  // Runs of (nearly) equal real parts are ordered by |imag|.
  size_t i = 0;
  while (i < zp.size()) {
    size_t j = i + 1;
    while (j < zp.size() && zp[j].real() - zp[j - 1].real() <= tol * std::abs(zp[j - 1])) j++;
    auto byImag = [](cplx a, cplx b) { return std::abs(a.imag()) < std::abs(b.imag()); };
    std::stable_sort(zp.begin() + i, zp.begin() + j, byImag);
    std::stable_sort(zn.begin() + i, zn.begin() + j, byImag);
    i = j;
  }
  cvec out;
  for (size_t k = 0; k < zp.size(); k++) out.push_back((zp[k] + std::conj(zn[k])) / 2.0);
  out.insert(out.end(), zr.begin(), zr.end());
  return out;
}

bool is_real(cplx x) { return x.imag() == 0.0; }

// argsort(|fro - to|) then the first of the requested kind; numpy's argsort ties keep index order here.
size_t nearest_idx(const cvec& fro, cplx to, int which /*0 any,1 real,2 complex*/) {
  std::vector<size_t> order(fro.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return std::abs(fro[a] - to) < std::abs(fro[b] - to); });
  for (size_t i : order) {
    if (which == 0 || (which == 1 && is_real(fro[i])) || (which == 2 && !is_real(fro[i]))) return i;
  }
  throw DspError("DESIGN_FAILED", "zpk2sos found no zero to pair");
}

size_t idx_worst(const cvec& p) {
  size_t best = 0;
  for (size_t i = 1; i < p.size(); i++)
    if (std::abs(1 - std::abs(p[i])) < std::abs(1 - std::abs(p[best]))) best = i;
  return best;
}

// numpy.poly for up to two roots, real part kept (the roots come as conjugates or reals).
void poly(const cvec& roots, double* out3, size_t& n) {
  cplx c[3] = {1, 0, 0};
  n = 1;
  for (auto& r : roots) {
    cplx next[3] = {c[0], c[1] - r * c[0], c[2] - r * c[1]};
    std::copy(next, next + 3, c);
    n++;
  }
  for (size_t i = 0; i < n; i++) out3[i] = c[i].real();
}

void single_section(const cvec& z, const cvec& p, double* sos) {
  double b[3], a[3];
  size_t nb, na;
  poly(z, b, nb);
  poly(p, a, na);
  std::fill(sos, sos + 6, 0.0);
  for (size_t i = 0; i < nb; i++) sos[3 - nb + i] = b[i];
  for (size_t i = 0; i < na; i++) sos[6 - na + i] = a[i];
}

template <class V>
cplx take(V& v, size_t i) {
  cplx x = v[i];
  v.erase(v.begin() + long(i));
  return x;
}

std::vector<double> zpk2sos(cvec z, cvec p, double k) {
  if (z.empty() && p.empty()) return {k, 0, 0, 1, 0, 0};
  if (z.size() < p.size()) z.resize(p.size(), cplx(0, 0));
  if (p.size() < z.size()) p.resize(z.size(), cplx(0, 0));
  const size_t n_sections = (std::max(p.size(), z.size()) + 1) / 2;
  if (p.size() % 2 == 1) {
    p.push_back(0);
    z.push_back(0);
  }
  z = cplxreal(z);
  p = cplxreal(p);
  std::vector<double> sos(n_sections * 6, 0.0);
  auto count_real = [](const cvec& v) { return std::count_if(v.begin(), v.end(), is_real); };

  for (size_t si = n_sections; si-- > 0;) {
    cplx p1 = take(p, idx_worst(p));
    double* row = &sos[si * 6];
    if (is_real(p1) && count_real(p) == 0) {
      cplx z1 = take(z, nearest_idx(z, p1, 1));
      single_section({z1, 0}, {p1, 0}, row);
    } else if (p.size() + 1 == z.size() && !is_real(p1) && count_real(p) == 1 && count_real(z) == 1) {
      cplx z1 = take(z, nearest_idx(z, p1, 2));
      single_section({z1, std::conj(z1)}, {p1, std::conj(p1)}, row);
    } else {
      cplx p2;
      if (is_real(p1)) {
        cvec reals;
        std::vector<size_t> idx;
        for (size_t i = 0; i < p.size(); i++)
          if (is_real(p[i])) {
            reals.push_back(p[i]);
            idx.push_back(i);
          }
        p2 = take(p, idx[idx_worst(reals)]);
      } else {
        p2 = std::conj(p1);
      }
      if (!z.empty()) {
        cplx z1 = take(z, nearest_idx(z, p1, 0));
        if (!is_real(z1)) {
          single_section({z1, std::conj(z1)}, {p1, p2}, row);
        } else if (!z.empty()) {
          cplx z2 = take(z, nearest_idx(z, p1, 1));
          single_section({z1, z2}, {p1, p2}, row);
        } else {
          single_section({z1}, {p1, p2}, row);
        }
      } else {
        single_section({}, {p1, p2}, row);
      }
    }
  }
  for (int i = 0; i < 3; i++) sos[i] *= k;
  return sos;
}

void check_corner(double f, double fs, const char* name) {
  if (!(f > 0) || !(f < fs / 2)) {
    throw DspError("FREQUENCY_OUT_OF_RANGE", std::string("the ") + name + " corner " + std::to_string(f) + " Hz must be above 0 and below Nyquist (" +
                                                  std::to_string(fs / 2) + " Hz)");
  }
}

}  // namespace

std::vector<double> butter_sos(int order, BandType type, double f1, double f2, double fs) {
  if (order < 1 || order > 10) throw DspError("ORDER_OUT_OF_RANGE", "the filter order must be 1 to 10, got " + std::to_string(order));
  if (!(fs > 0) || !std::isfinite(fs)) throw DspError("BAD_SAMPLING_RATE", "the sampling rate must be a positive number");
  const double fs2 = 2.0;  // scipy designs on the normalised axis, then maps with fs = 2
  auto warp = [&](double f) { return 2 * fs2 * std::tan(kPi * (f / (fs / 2)) / fs2); };
  Zpk proto = buttap(order);
  Zpk analog{{}, {}, 1.0};
  switch (type) {
    case BandType::lowpass:
      check_corner(f1, fs, "low-pass");
      analog = lp2lp(proto, warp(f1));
      break;
    case BandType::highpass:
      check_corner(f1, fs, "high-pass");
      analog = lp2hp(proto, warp(f1));
      break;
    case BandType::bandpass:
    case BandType::bandstop: {
      check_corner(f1, fs, "low");
      check_corner(f2, fs, "high");
      if (!(f1 < f2)) throw DspError("FREQUENCY_OUT_OF_RANGE", "the low corner must be below the high corner");
      const double w1 = warp(f1), w2 = warp(f2);
      const double bw = w2 - w1, wo = std::sqrt(w1 * w2);
      analog = type == BandType::bandpass ? lp2bp(proto, wo, bw) : lp2bs(proto, wo, bw);
      break;
    }
  }
  Zpk digital = bilinear(analog, fs2);
  return zpk2sos(digital.z, digital.p, digital.k);
}

std::vector<double> notch_sos(double freq, double q, double fs) {
  check_corner(freq, fs, "notch");
  if (!(q > 0) || !std::isfinite(q)) throw DspError("BAD_Q", "the notch quality factor must be a positive number");
  const double w0n = freq / (fs / 2);
  const double bw = (w0n / q) * kPi;
  const double w0 = w0n * kPi;
  const double beta = std::tan(bw / 2.0);
  const double gain = 1.0 / (1.0 + beta);
  return {gain, -2.0 * std::cos(w0) * gain, gain, 1.0, -2.0 * gain * std::cos(w0), 2.0 * gain - 1.0};
}

}  // namespace probedeck

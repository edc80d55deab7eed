#include "fft.hpp"

#include <algorithm>
#include <cmath>

namespace probedeck {

namespace {

constexpr int kLargestRadix = 61;  // above this prime a generic butterfly costs more than Bluestein

std::vector<int> factorize(size_t n) {
  std::vector<int> f;
  while (n % 4 == 0) f.push_back(4), n /= 4;
  while (n % 2 == 0) f.push_back(2), n /= 2;
  for (size_t p = 3; p * p <= n; p += 2)
    while (n % p == 0) f.push_back(int(p)), n /= p;
  if (n > 1) f.push_back(int(n));
  return f;
}

// e^(sign·2πi·k/n), with k reduced first so large n loses no accuracy to the argument.
cplx unit(long double k, long double n, int sign) {
  const long double a = 2.0L * 3.14159265358979323846264338327950288L * k / n;
  return {double(std::cos(a)), double(sign * std::sin(a))};
}

}  // namespace

struct ComplexFft::Impl {
  size_t n;
  std::vector<int> radix;             // product = n (mixed radix only)
  std::vector<cplx> tw_fwd, tw_inv;   // e^(∓2πi·k/n)
  std::vector<cplx> scratch;
  // Bluestein: a power-of-two transform of m ≥ 2n − 1 points.
  std::unique_ptr<ComplexFft> sub;
  std::vector<cplx> chirp, kernel, a, b;

  explicit Impl(size_t n_) : n(n_) {
    radix = factorize(n);
    if (!radix.empty() && *std::max_element(radix.begin(), radix.end()) > kLargestRadix) {
      radix.clear();
      size_t m = 1;
      while (m < 2 * n - 1) m *= 2;
      sub = std::make_unique<ComplexFft>(m);
      chirp.resize(n);
      for (size_t j = 0; j < n; j++) chirp[j] = unit((long double)((unsigned long long)j * j % (2 * n)), 2.0L * n, -1);  // e^(−πi·j²/n)
      std::vector<cplx> w(m, 0.0);
      w[0] = std::conj(chirp[0]);
      for (size_t j = 1; j < n; j++) w[j] = w[m - j] = std::conj(chirp[j]);
      kernel.resize(m);
      sub->transform(w.data(), kernel.data(), false);
      a.resize(m);
      b.resize(m);
      return;
    }
    tw_fwd.resize(n);
    tw_inv.resize(n);
    for (size_t k = 0; k < n; k++) {
      tw_fwd[k] = unit((long double)k, (long double)n, -1);
      tw_inv[k] = std::conj(tw_fwd[k]);
    }
    scratch.resize(radix.empty() ? 1 : size_t(*std::max_element(radix.begin(), radix.end())));
  }

  // Decimation in time: out gets the length-(p·m) transform of in[0], in[stride], …
  void work(cplx* out, const cplx* in, size_t stride, size_t level, const cplx* tw) {
    const int p = radix[level];
    const size_t m = n / (stride * size_t(p));
    if (m == 1) {
      for (int q = 0; q < p; q++) out[q] = in[size_t(q) * stride];
    } else {
      for (int q = 0; q < p; q++) work(out + size_t(q) * m, in + size_t(q) * stride, stride * size_t(p), level + 1, tw);
    }
    const bool inv = tw == tw_inv.data();
    if (p == 2) {
      for (size_t k = 0; k < m; k++) {
        const cplx t = out[k + m] * tw[k * stride];
        out[k + m] = out[k] - t;
        out[k] += t;
      }
    } else if (p == 4) {
      for (size_t k = 0; k < m; k++) {
        const cplx s0 = out[k + m] * tw[k * stride], s1 = out[k + 2 * m] * tw[2 * k * stride], s2 = out[k + 3 * m] * tw[3 * k * stride];
        const cplx s5 = out[k] - s1, x0 = out[k] + s1;
        const cplx s3 = s0 + s2, s4 = s0 - s2;
        out[k + 2 * m] = x0 - s3;
        out[k] = x0 + s3;
        const cplx r(s4.imag(), -s4.real());  // s4 · (−i)
        out[k + m] = inv ? s5 - r : s5 + r;
        out[k + 3 * m] = inv ? s5 + r : s5 - r;
      }
    } else {
      for (size_t u = 0; u < m; u++) {
        for (int q = 0; q < p; q++) scratch[size_t(q)] = out[u + size_t(q) * m];
        for (int q1 = 0; q1 < p; q1++) {
          const size_t k = u + size_t(q1) * m;
          cplx acc = scratch[0];
          size_t idx = 0;
          for (int q = 1; q < p; q++) {
            idx += stride * k;
            idx %= n;
            acc += scratch[size_t(q)] * tw[idx];
          }
          out[k] = acc;
        }
      }
    }
  }

  void bluestein(const cplx* in, cplx* out, bool inverse) {
    const size_t m = a.size();
    // The inverse is the conjugate of the forward transform of the conjugate.
    for (size_t j = 0; j < n; j++) a[j] = (inverse ? std::conj(in[j]) : in[j]) * chirp[j];
    std::fill(a.begin() + std::ptrdiff_t(n), a.end(), 0.0);
    sub->transform(a.data(), b.data(), false);
    for (size_t k = 0; k < m; k++) b[k] *= kernel[k];
    sub->transform(b.data(), a.data(), true);
    for (size_t k = 0; k < n; k++) {
      const cplx y = a[k] * chirp[k];
      out[k] = inverse ? std::conj(y) : y;
    }
  }
};

ComplexFft::ComplexFft(size_t n) : n_(n), impl_(std::make_unique<Impl>(n)) {}
ComplexFft::~ComplexFft() = default;
ComplexFft::ComplexFft(ComplexFft&&) noexcept = default;
ComplexFft& ComplexFft::operator=(ComplexFft&&) noexcept = default;

void ComplexFft::transform(const cplx* in, cplx* out, bool inverse) {
  if (n_ == 1) {
    out[0] = in[0];
    return;
  }
  if (impl_->sub) {
    impl_->bluestein(in, out, inverse);
  } else {
    impl_->work(out, in, 1, 0, inverse ? impl_->tw_inv.data() : impl_->tw_fwd.data());
  }
  if (inverse) {
    const double s = 1.0 / double(n_);
    for (size_t k = 0; k < n_; k++) out[k] *= s;
  }
}

RealFft::RealFft(size_t n) : n_(n), fft_(n), a_(n), b_(n) {}

void RealFft::forward(const double* in, cplx* out) {
  for (size_t j = 0; j < n_; j++) a_[j] = in[j];
  fft_.transform(a_.data(), b_.data(), false);
  std::copy(b_.begin(), b_.begin() + std::ptrdiff_t(bins()), out);
}

void RealFft::inverse(const cplx* in, double* out) {
  const size_t h = bins();
  for (size_t k = 0; k < h; k++) a_[k] = in[k];
  a_[0] = a_[0].real();
  if (n_ % 2 == 0) a_[n_ / 2] = a_[n_ / 2].real();
  for (size_t k = h; k < n_; k++) a_[k] = std::conj(in[n_ - k]);
  fft_.transform(a_.data(), b_.data(), true);
  for (size_t j = 0; j < n_; j++) out[j] = b_[j].real();
}

}  // namespace probedeck

#include "fft.hpp"

#include <algorithm>
#include <cmath>

#include "dsp_error.hpp"

namespace probedeck {

namespace {

constexpr int kLargestRadix = 61;  // above this prime a generic butterfly costs more than Bluestein

std::vector<int> factorize(size_t n) {
  // 0 is divisible by 4 for ever: an empty window (a direct call's) would never end here.
  if (n == 0) throw DspError("EMPTY_WINDOW", "a transform needs at least one sample");
  std::vector<int> f;
  while (n % 4 == 0) f.push_back(4), n /= 4;
  while (n % 2 == 0) f.push_back(2), n /= 2;
  for (size_t p = 3; p * p <= n; p += 2)
    while (n % p == 0) f.push_back(int(p)), n /= p;
  if (n > 1) f.push_back(int(n));
  return f;
}

// std::complex's own product made every butterfly several times slower (see complex_mul).
inline cplx mul(cplx a, cplx b) { return complex_mul(a, b); }
// v·(−i) and v·i.
inline cplx times_minus_i(cplx v) { return {v.imag(), -v.real()}; }
inline cplx times_i(cplx v) { return {-v.imag(), v.real()}; }

// e^(sign·2πi·k/n), with k reduced first so large n loses no accuracy to the argument.
cplx unit(long double k, long double n, int sign) {
  const long double a = 2.0L * 3.14159265358979323846264338327950288L * k / n;
  return {double(std::cos(a)), double(sign * std::sin(a))};
}

}  // namespace

// Stockham's autosort form: each stage reads one buffer and writes the other in natural order, with
// no bit-reversal pass, and the innermost loop runs over contiguous elements in both. A stage's
// twiddles are stored in the order it uses them, so it streams through its table once.
struct ComplexFft::Impl {
  struct Stage {
    int p;                             // radix
    size_t m;                          // length of each sub-sequence after this stage
    std::vector<cplx> tw_fwd, tw_inv;  // (p − 1) per j < m: e^(∓2πi·j·t/(p·m)), t = 1 … p−1
  };
  size_t n;
  std::vector<Stage> stages;  // mixed radix
  std::vector<cplx> roots_fwd, roots_inv;  // e^(∓2πi·j/p) for a generic radix p, per stage in turn
  std::vector<cplx> work_a, work_b;
  // Bluestein: a power-of-two transform of m ≥ 2n − 1 points.
  std::unique_ptr<ComplexFft> sub;
  std::vector<cplx> chirp, kernel, a, b;

  explicit Impl(size_t n_) : n(n_) {
    const std::vector<int> radix = factorize(n);
    if (!radix.empty() && *std::max_element(radix.begin(), radix.end()) > kLargestRadix) {
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
    size_t len = n;
    for (int p : radix) {
      Stage s{p, len / size_t(p), {}, {}};
      s.tw_fwd.resize(s.m * size_t(p - 1));
      s.tw_inv.resize(s.tw_fwd.size());
      for (size_t j = 0; j < s.m; j++)
        for (int t = 1; t < p; t++) {
          const cplx w = unit((long double)(j * size_t(t)), (long double)len, -1);
          s.tw_fwd[j * size_t(p - 1) + size_t(t - 1)] = w;
          s.tw_inv[j * size_t(p - 1) + size_t(t - 1)] = std::conj(w);
        }
      if (p > 5)
        for (int j = 0; j < p; j++) roots_fwd.push_back(unit(j, p, -1)), roots_inv.push_back(unit(j, p, 1));
      stages.push_back(std::move(s));
      len /= size_t(p);
    }
    work_a.resize(n);
    work_b.resize(n);
  }

  // One stage: sub-sequences of length p·m, each interleaved s times (q < s), become p of length m.
  template <int P>
  static void butterflies(const cplx* x, cplx* y, size_t m, size_t s, const cplx* tw, bool inv) {
    for (size_t j = 0; j < m; j++) {
      const cplx* w = tw + j * (P - 1);
      for (size_t q = 0; q < s; q++) {
        const cplx* in = x + q + s * j;
        cplx* out = y + q + s * P * j;
        if constexpr (P == 2) {
          const cplx a0 = in[0], a1 = in[s * m];
          out[0] = a0 + a1;
          out[s] = mul(a0 - a1, w[0]);
        } else if constexpr (P == 3) {
          constexpr double h = 0.86602540378443864676;  // √3/2
          const cplx a0 = in[0], a1 = in[s * m], a2 = in[2 * s * m];
          const cplx t1 = a1 + a2, t2 = a0 - 0.5 * t1, d = h * (a1 - a2);
          const cplx t3 = inv ? times_i(d) : times_minus_i(d);
          out[0] = a0 + t1;
          out[s] = mul(t2 + t3, w[0]);
          out[2 * s] = mul(t2 - t3, w[1]);
        } else if constexpr (P == 4) {
          const cplx a0 = in[0], a1 = in[s * m], a2 = in[2 * s * m], a3 = in[3 * s * m];
          const cplx t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, t3 = inv ? times_i(a1 - a3) : times_minus_i(a1 - a3);
          out[0] = t0 + t2;
          out[s] = mul(t1 + t3, w[0]);
          out[2 * s] = mul(t0 - t2, w[1]);
          out[3 * s] = mul(t1 - t3, w[2]);
        } else if constexpr (P == 5) {
          constexpr double c1 = 0.30901699437494742410, c2 = -0.80901699437494742410;  // cos(2π/5), cos(4π/5)
          constexpr double s1 = 0.95105651629515357212, s2 = 0.58778525229247312917;   // sin(2π/5), sin(4π/5)
          const cplx a0 = in[0], a1 = in[s * m], a2 = in[2 * s * m], a3 = in[3 * s * m], a4 = in[4 * s * m];
          const cplx t1 = a1 + a4, t2 = a2 + a3, t3 = a1 - a4, t4 = a2 - a3;
          const cplx r1 = a0 + c1 * t1 + c2 * t2, r2 = a0 + c2 * t1 + c1 * t2;
          const cplx d1 = s1 * t3 + s2 * t4, d2 = s2 * t3 - s1 * t4;
          const cplx i1 = inv ? times_i(d1) : times_minus_i(d1), i2 = inv ? times_i(d2) : times_minus_i(d2);
          out[0] = a0 + t1 + t2;
          out[s] = mul(r1 + i1, w[0]);
          out[2 * s] = mul(r2 + i2, w[1]);
          out[3 * s] = mul(r2 - i2, w[2]);
          out[4 * s] = mul(r1 - i1, w[3]);
        }
      }
    }
  }

  // An odd radix p by its conjugate-symmetric pairs: outputs t and p − t share the products of
  // (a_r ± a_{p−r}) with cos and sin of 2π·r·t/p, a quarter of the multiplications of a plain DFT.
  static void generic(const cplx* x, cplx* y, int p, size_t m, size_t s, const cplx* tw, const cplx* roots, cplx* a) {
    const int h = (p - 1) / 2;
    cplx* sum = a + p;
    cplx* dif = sum + h + 1;
    for (size_t j = 0; j < m; j++) {
      const cplx* w = tw + j * size_t(p - 1);
      for (size_t q = 0; q < s; q++) {
        for (int r = 0; r < p; r++) a[r] = x[q + s * (j + size_t(r) * m)];
        cplx* out = y + q + s * size_t(p) * j;
        cplx dc = a[0];
        for (int r = 1; r <= h; r++) sum[r] = a[r] + a[p - r], dif[r] = a[r] - a[p - r], dc += sum[r];
        out[0] = dc;
        for (int t = 1; t <= h; t++) {
          cplx re = a[0], im = 0.0;
          int k = 0;
          for (int r = 1; r <= h; r++) {
            k += t;
            if (k >= p) k -= p;
            re += roots[k].real() * sum[r];
            im += roots[k].imag() * dif[r];  // the root's sign carries the direction
          }
          out[s * size_t(t)] = mul(re + times_i(im), w[t - 1]);
          out[s * size_t(p - t)] = mul(re - times_i(im), w[p - t - 1]);
        }
      }
    }
  }

  void stockham(const cplx* in, cplx* out, bool inverse) {
    std::copy(in, in + n, work_a.begin());
    cplx* x = work_a.data();
    cplx* y = work_b.data();
    size_t s = 1;
    size_t root = 0;
    cplx scratch[2 * kLargestRadix + 2];
    for (const Stage& st : stages) {
      const cplx* tw = inverse ? st.tw_inv.data() : st.tw_fwd.data();
      switch (st.p) {
        case 2: butterflies<2>(x, y, st.m, s, tw, inverse); break;
        case 3: butterflies<3>(x, y, st.m, s, tw, inverse); break;
        case 4: butterflies<4>(x, y, st.m, s, tw, inverse); break;
        case 5: butterflies<5>(x, y, st.m, s, tw, inverse); break;
        default:
          generic(x, y, st.p, st.m, s, tw, (inverse ? roots_inv.data() : roots_fwd.data()) + root, scratch);
          root += size_t(st.p);
      }
      std::swap(x, y);
      s *= size_t(st.p);
    }
    std::copy(x, x + n, out);
  }

  void bluestein(const cplx* in, cplx* out, bool inverse) {
    const size_t m = a.size();
    // The inverse is the conjugate of the forward transform of the conjugate.
    for (size_t j = 0; j < n; j++) a[j] = mul(inverse ? std::conj(in[j]) : in[j], chirp[j]);
    std::fill(a.begin() + std::ptrdiff_t(n), a.end(), 0.0);
    sub->transform(a.data(), b.data(), false);
    for (size_t k = 0; k < m; k++) b[k] = mul(b[k], kernel[k]);
    sub->transform(b.data(), a.data(), true);
    for (size_t k = 0; k < n; k++) {
      const cplx y = mul(a[k], chirp[k]);
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
    impl_->stockham(in, out, inverse);
  }
  if (inverse) {
    const double s = 1.0 / double(n_);
    for (size_t k = 0; k < n_; k++) out[k] *= s;
  }
}

// An even length is transformed as n/2 complex points (even samples real, odd imaginary) and then
// split into the even and odd halves' spectra: half the work of a complex transform of n.
RealFft::RealFft(size_t n) : n_(n), half_(n % 2 == 0 && n >= 2), fft_(half_ ? n / 2 : n), a_(n), b_(n) {
  if (half_)
    for (size_t k = 0; k <= n / 2; k++) w_.push_back(unit((long double)k, (long double)n, -1));
}

void RealFft::forward(const double* in, cplx* out) {
  if (!half_) {
    for (size_t j = 0; j < n_; j++) a_[j] = in[j];
    fft_.transform(a_.data(), b_.data(), false);
    std::copy(b_.begin(), b_.begin() + std::ptrdiff_t(bins()), out);
    return;
  }
  const size_t h = n_ / 2;
  for (size_t j = 0; j < h; j++) a_[j] = {in[2 * j], in[2 * j + 1]};
  fft_.transform(a_.data(), b_.data(), false);
  for (size_t k = 0; k <= h; k++) {
    const cplx z = b_[k == h ? 0 : k], zc = std::conj(b_[k == 0 ? 0 : h - k]);
    const cplx even = 0.5 * (z + zc), odd = times_minus_i(0.5 * (z - zc));  // spectra of x[2j] and x[2j+1]
    out[k] = even + mul(w_[k], odd);
  }
}

void RealFft::inverse(const cplx* in, double* out) {
  const size_t h = bins();
  if (!half_) {
    for (size_t k = 0; k < h; k++) a_[k] = in[k];
    a_[0] = a_[0].real();
    if (n_ % 2 == 0) a_[n_ / 2] = a_[n_ / 2].real();
    for (size_t k = h; k < n_; k++) a_[k] = std::conj(in[n_ - k]);
    fft_.transform(a_.data(), b_.data(), true);
    for (size_t j = 0; j < n_; j++) out[j] = b_[j].real();
    return;
  }
  const size_t m = n_ / 2;
  // Spectra with the imaginary parts of DC and Nyquist dropped, as irfft does.
  auto bin = [&](size_t k) { return k == 0 || k == m ? cplx(in[k].real(), 0.0) : in[k]; };
  for (size_t k = 0; k < m; k++) {
    const cplx x = bin(k), xc = std::conj(bin(m - k));
    const cplx even = 0.5 * (x + xc), odd = mul(0.5 * (x - xc), std::conj(w_[k]));
    a_[k] = even + times_i(odd);
  }
  fft_.transform(a_.data(), b_.data(), true);
  for (size_t j = 0; j < m; j++) out[2 * j] = b_[j].real(), out[2 * j + 1] = b_[j].imag();
}

}  // namespace probedeck

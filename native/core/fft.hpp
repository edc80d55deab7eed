// Discrete Fourier transforms of any length n, in float64, with no dependencies: mixed radix
// (2, 3, 4, 5 and a generic odd radix, Stockham's autosort form) when n factors into small primes, Bluestein's chirp-z
// through a power-of-two transform otherwise. Conventions are numpy's / pocketfft's: forward is
// unnormalised with e^(−2πi·jk/n); the inverse divides by n.
//
// A plan owns its twiddles and scratch, so it is cheap to reuse and must not be shared between
// threads at once: make one per worker (they are small), or per (thread, n).
#pragma once
#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

namespace probedeck {

using cplx = std::complex<double>;

/** a·b by the textbook formula: std::complex's operator* goes through a library call (C99 Annex G) without fast-math. */
inline cplx complex_mul(cplx a, cplx b) { return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()}; }

/** Complex transform of length n. */
class ComplexFft {
 public:
  explicit ComplexFft(size_t n);
  ~ComplexFft();
  ComplexFft(ComplexFft&&) noexcept;
  ComplexFft& operator=(ComplexFft&&) noexcept;

  size_t size() const { return n_; }
  /** out[k] = Σ_j in[j]·e^(∓2πi·jk/n); `inverse` uses + and divides by n. in and out may not overlap. */
  void transform(const cplx* in, cplx* out, bool inverse);

 private:
  struct Impl;
  size_t n_;
  std::unique_ptr<Impl> impl_;
};

/** Real transform of length n: numpy.fft.rfft / irfft. */
class RealFft {
 public:
  explicit RealFft(size_t n);
  size_t size() const { return n_; }
  /** Number of complex bins: n/2 + 1. */
  size_t bins() const { return n_ / 2 + 1; }
  /** in: n reals → out: n/2+1 bins. */
  void forward(const double* in, cplx* out);
  /** in: n/2+1 bins → out: n reals, divided by n. The imaginary parts of DC (and Nyquist for even n) are ignored. */
  void inverse(const cplx* in, double* out);

 private:
  size_t n_;
  bool half_;              // even n: through a complex transform of n/2
  ComplexFft fft_;
  std::vector<cplx> a_, b_;
  std::vector<cplx> w_;    // e^(−2πi·k/n), k ≤ n/2 (even n)
};

}  // namespace probedeck

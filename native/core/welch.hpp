// scipy.signal.welch with its defaults (periodic Hann window, 50 % overlap, per-segment mean
// removed, one-sided density in units²/Hz, mean over segments) for one strided series.
#pragma once
#include <cstddef>
#include <vector>

#include "fft.hpp"

namespace probedeck {

class Welch {
 public:
  Welch(size_t nperseg, double fs);
  size_t bins() const { return fft_.bins(); }
  /** Frequency of bin k in Hz. */
  double frequency(size_t k) const { return double(k) * fs_ / double(nperseg_); }
  /** psd gets bins() values; x holds n samples `stride` apart (n ≥ nperseg). */
  void density(const float* x, size_t n, size_t stride, double* psd);

 private:
  size_t nperseg_;
  double fs_;
  RealFft fft_;
  std::vector<double> window_, seg_;
  std::vector<cplx> spec_;
  double scale_;
};

}  // namespace probedeck

#include "welch.hpp"

#include <algorithm>
#include <cmath>

namespace probedeck {

Welch::Welch(size_t nperseg, double fs) : nperseg_(nperseg), fs_(fs), fft_(nperseg), window_(nperseg), seg_(nperseg), spec_(nperseg / 2 + 1) {
  double s2 = 0;
  for (size_t j = 0; j < nperseg; j++) {
    window_[j] = 0.5 - 0.5 * std::cos(2.0 * 3.14159265358979323846 * double(j) / double(nperseg));  // get_window("hann"): periodic
    s2 += window_[j] * window_[j];
  }
  scale_ = 1.0 / (fs * s2);
}

void Welch::density(const float* x, size_t n, size_t stride, double* psd) {
  const size_t step = nperseg_ - nperseg_ / 2;
  const size_t segments = (n - nperseg_) / step + 1;
  std::fill(psd, psd + bins(), 0.0);
  for (size_t s = 0; s < segments; s++) {
    const float* p = x + s * step * stride;
    double mean = 0;
    for (size_t j = 0; j < nperseg_; j++) mean += double(p[j * stride]);
    mean /= double(nperseg_);
    for (size_t j = 0; j < nperseg_; j++) seg_[j] = (double(p[j * stride]) - mean) * window_[j];
    fft_.forward(seg_.data(), spec_.data());
    for (size_t k = 0; k < bins(); k++) psd[k] += std::norm(spec_[k]);
  }
  // One-sided: every bin but DC (and Nyquist for even nperseg) counts twice.
  const size_t last = nperseg_ % 2 == 0 ? bins() - 1 : bins();
  for (size_t k = 0; k < bins(); k++) psd[k] *= scale_ / double(segments) * (k > 0 && k < last ? 2.0 : 1.0);
}

}  // namespace probedeck

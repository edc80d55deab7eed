#include "sosfilt.hpp"

#include <algorithm>

namespace probedeck {

// Built twice on Linux x86-64 (AVX2 and baseline) and picked at load time; no FMA, so rounding
// stays equal to scipy's.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define PROBEDECK_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PROBEDECK_CLONES
#endif

#if defined(__GNUC__) || defined(__clang__)
// Four doubles per vector (one AVX2 register, or two SSE2 registers on the baseline build).
typedef double v4d __attribute__((vector_size(32)));
constexpr int kVec = kTile / 4;

static inline v4d load(const double* p) {
  v4d v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void store(double* p, v4d v) { __builtin_memcpy(p, &v, sizeof v); }

constexpr int kMaxSections = 10;  // order 10 band-pass

PROBEDECK_CLONES
void sosfilt_tile(const double* sos, int n_sections, double* x, std::ptrdiff_t rows, std::ptrdiff_t step, double* state) {
  // All sections per row, states in local arrays (registers and L1): one pass over the tile's
  // memory per call, which is what bounds this kernel.
  v4d c[kMaxSections][5];
  v4d z0[kMaxSections][kVec], z1[kMaxSections][kVec];
  for (int s = 0; s < n_sections; s++) {
    const int idx[5] = {0, 1, 2, 4, 5};
    for (int i = 0; i < 5; i++) c[s][i] = v4d{} + sos[s * 6 + idx[i]];
    for (int k = 0; k < kVec; k++) {
      z0[s][k] = load(state + (s * 2) * kTile + 4 * k);
      z1[s][k] = load(state + (s * 2 + 1) * kTile + 4 * k);
    }
  }
  double* xr = x;
  for (std::ptrdiff_t t = 0; t < rows; t++, xr += step) {
    for (int k = 0; k < kVec; k++) {
      v4d xc = load(xr + 4 * k);
      for (int s = 0; s < n_sections; s++) {
        const v4d y = c[s][0] * xc + z0[s][k];
        z0[s][k] = c[s][1] * xc - c[s][3] * y + z1[s][k];
        z1[s][k] = c[s][2] * xc - c[s][4] * y;
        xc = y;
      }
      store(xr + 4 * k, xc);
    }
  }
  for (int s = 0; s < n_sections; s++)
    for (int k = 0; k < kVec; k++) {
      store(state + (s * 2) * kTile + 4 * k, z0[s][k]);
      store(state + (s * 2 + 1) * kTile + 4 * k, z1[s][k]);
    }
}
#else
void sosfilt_tile(const double* sos, int n_sections, double* x, std::ptrdiff_t rows, std::ptrdiff_t step, double* state) {
  for (int s = 0; s < n_sections; s++) {
    const double b0 = sos[s * 6 + 0], b1 = sos[s * 6 + 1], b2 = sos[s * 6 + 2], a1 = sos[s * 6 + 4], a2 = sos[s * 6 + 5];
    double* z0 = state + (s * 2) * kTile;
    double* z1 = z0 + kTile;
    double* xr = x;
    for (std::ptrdiff_t t = 0; t < rows; t++, xr += step)
      for (int j = 0; j < kTile; j++) {
        const double xc = xr[j];
        const double y = b0 * xc + z0[j];
        z0[j] = b1 * xc - a1 * y + z1[j];
        z1[j] = b2 * xc - a2 * y;
        xr[j] = y;
      }
  }
}
#endif

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

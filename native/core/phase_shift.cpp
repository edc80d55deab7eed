#include "phase_shift.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "cpu_features.hpp"
#include "dsp_error.hpp"
#include "fft.hpp"
#include "thread_pool.hpp"
#include "work_buffer.hpp"

namespace probedeck {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Exactly zero at non-zero integers (np.sinc leaves ~1e-17 there), so an integer shift is an exact
// delay rather than a delay plus rounding dust.
double sinc(double x) {
  if (x == 0.0) return 1.0;
  if (x == std::nearbyint(x)) return 0.0;
  return std::sin(kPi * x) / (kPi * x);
}

void check_taps(int taps) {
  if (taps != 16 && taps != 32 && taps != 64) throw DspError("BAD_TAPS", "the FIR phase shift runs 16, 32 or 64 taps, got " + std::to_string(taps));
}

// Channel ranges of whole 8-lane groups, one contiguous range per worker.
template <class Body>
void over_channel_blocks(size_t channels, int workers, Body body) {
  const size_t groups = (channels + 7) / 8;
  const int blocks = int(std::min<size_t>(groups, size_t(std::max(workers, 1))));
  pool_for_this_thread(workers).parallel_for(blocks, [&](int b) {
    const size_t g0 = groups * size_t(b) / size_t(blocks), g1 = groups * size_t(b + 1) / size_t(blocks);
    body(g0 * 8, std::min(channels, g1 * 8));
  });
}

}  // namespace

std::vector<float> fir_phase_kernels(const double* shifts, size_t channels, int taps, double beta) {
  check_taps(taps);
  std::vector<double> window(size_t(taps), 1.0);
  const double i0b = std::cyl_bessel_i(0.0, beta);
  for (int k = 0; k < taps; k++) {
    const double r = 2.0 * k / (taps - 1) - 1.0;  // numpy.kaiser (symmetric)
    window[size_t(k)] = std::cyl_bessel_i(0.0, beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0b;
  }
  std::vector<float> h(size_t(taps) * channels);
  std::vector<double> hc(static_cast<size_t>(taps));
  for (size_t c = 0; c < channels; c++) {
    double sum = 0;
    for (int k = 0; k < taps; k++) sum += hc[size_t(k)] = sinc(double(k - taps / 2) + shifts[c]) * window[size_t(k)];
    for (int k = 0; k < taps; k++) h[size_t(k) * channels + c] = float(hc[size_t(k)] / sum);
  }
  return h;
}

#if defined(__GNUC__) && !defined(__clang__)
// The vectors never cross a call (every function they pass through inlines).
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace {

typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
constexpr size_t kRowBlock = 256;  // rows per block: block + K halo rows of one worker's channels stay in L2

PROBEDECK_INLINE v8f load8(const float* p) { return *reinterpret_cast<const v8f_unaligned*>(p); }
PROBEDECK_INLINE void store8(float* p, v8f v) { *reinterpret_cast<v8f_unaligned*>(p) = v; }

// R output rows of one 8-channel group at once: R independent accumulators hide the add latency
// (one chain of K dependent adds per output would bound the loop), and each kernel load serves R rows.
// K is a template argument (one of the three tap counts offered): a fixed trip count for the tap loop.
template <int R, int K>
PROBEDECK_INLINE void fir_rows(const float* src, size_t width, const float* h, float* dst, size_t dst_stride, size_t lanes) {
  v8f acc[R];
  for (int r = 0; r < R; r++) acc[r] = v8f{};
  for (int k = 0; k < K; k++) {
    const v8f hk = load8(h + size_t(k) * width);
    for (int r = 0; r < R; r++) acc[r] += hk * load8(src + size_t(r + k) * width);
  }
  if (lanes == 8) {
    for (int r = 0; r < R; r++) store8(dst + size_t(r) * dst_stride, acc[r]);
  } else {
    for (int r = 0; r < R; r++) {
      float part[8];
      store8(part, acc[r]);
      std::copy(part, part + lanes, dst + size_t(r) * dst_stride);
    }
  }
}

// One block: `src` holds (n + K − 1) rows × `width` floats (width a multiple of 8), `h` K rows × width;
// the n output rows of `lanes` channels go straight to `dst`, rows `dst_stride` apart.
template <int K>
PROBEDECK_INLINE void fir_block_taps(const float* src, size_t n, size_t width, const float* h, float* dst, size_t dst_stride, size_t lanes) {
  // Row batches outside, channel groups inside: each batch's output rows are written whole and in
  // order, and its K + 7 source rows stay in L1 while every group reads them.
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t g = 0; g < lanes; g += 8)
      fir_rows<8, K>(src + i * width + g, width, h + g, dst + i * dst_stride + g, dst_stride, std::min<size_t>(8, lanes - g));
  for (; i < n; i++)
    for (size_t g = 0; g < lanes; g += 8)
      fir_rows<1, K>(src + i * width + g, width, h + g, dst + i * dst_stride + g, dst_stride, std::min<size_t>(8, lanes - g));
}

PROBEDECK_INLINE void fir_block_body(const float* src, size_t n, size_t width, const float* h, int taps, float* dst, size_t dst_stride, size_t lanes) {
  switch (taps) {
    case 16: return fir_block_taps<16>(src, n, width, h, dst, dst_stride, lanes);
    case 32: return fir_block_taps<32>(src, n, width, h, dst, dst_stride, lanes);
    default: return fir_block_taps<64>(src, n, width, h, dst, dst_stride, lanes);
  }
}

#if defined(PROBEDECK_X86_DISPATCH)
// AVX2 with FMA where the CPU has both, as the float32 filters: the kernels are float32 already, and
// a fused multiply-add rounds once where a multiply then an add round twice.
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) void fir_block_fma(const float* src, size_t n, size_t width, const float* h, int taps,
                                                                                   float* dst, size_t dst_stride, size_t lanes) {
  fir_block_body(src, n, width, h, taps, dst, dst_stride, lanes);
}
#endif

void fir_block(const float* src, size_t n, size_t width, const float* h, int taps, float* dst, size_t dst_stride, size_t lanes) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return fir_block_fma(src, n, width, h, taps, dst, dst_stride, lanes);
#endif
  fir_block_body(src, n, width, h, taps, dst, dst_stride, lanes);
}

// Row conversion to float32; for float input, reports whether every value was finite (x − x is
// 0 only for finite x), in a form the compiler vectorises.
template <class In>
bool convert_row(const In* s, size_t n, float* d) {
  if constexpr (std::is_floating_point_v<In>) {
    int bad = 0;
    for (size_t c = 0; c < n; c++) {
      d[c] = s[c];
      bad |= !(s[c] - s[c] == 0.0f);
    }
    return bad == 0;
  } else {
    for (size_t c = 0; c < n; c++) d[c] = float(s[c]);
    return true;
  }
}

}  // namespace

template <class In>
void phase_shift_fir(const In* in, size_t in_rows, size_t channels, const float* kernels, int taps, size_t left, size_t right, float* out, int workers,
                     const In* before, size_t before_rows) {
  check_taps(taps);
  const size_t rows = before_rows + in_rows;
  if (left + right > rows) throw DspError("BAD_WINDOW", "the margins are longer than the window");
  const size_t keep = rows - left - right;
  const size_t K = size_t(taps);
  over_channel_blocks(channels, workers, [&](size_t c0, size_t c1) {
    const size_t w = c1 - c0, width = (w + 7) / 8 * 8;
    WorkBuffer<float> h(K * width), src((kRowBlock + K - 1) * width);
    std::fill(h.data(), h.data() + h.size(), 0.0f);
    for (size_t k = 0; k < K; k++) std::copy(kernels + k * channels + c0, kernels + k * channels + c1, h.data() + k * width);
    std::fill(src.data(), src.data() + src.size(), 0.0f);
    for (size_t o0 = 0; o0 < keep; o0 += kRowBlock) {
      const size_t n = std::min(kRowBlock, keep - o0);
      // Source row j of the block is window row left + o0 − K/2 + j (the `before` rows, then `in`);
      // rows outside the window are zero.
      for (size_t j = 0; j < n + K - 1; j++) {
        const std::ptrdiff_t r = std::ptrdiff_t(left + o0 + j) - std::ptrdiff_t(K / 2);
        float* d = src.data() + j * width;
        if (r < 0 || r >= std::ptrdiff_t(rows)) {
          std::fill(d, d + w, 0.0f);
          continue;
        }
        const In* row = size_t(r) < before_rows ? before + size_t(r) * channels : in + (size_t(r) - before_rows) * channels;
        if (!convert_row(row + c0, w, d)) {
          throw DspError("NON_FINITE_INPUT", "the input contains NaN or infinite samples");
        }
      }
      fir_block(src.data(), n, width, h.data(), taps, out + o0 * channels + c0, channels, w);
    }
  });
}

template <class In>
void phase_shift_fft(const In* in, size_t rows, size_t channels, const double* shifts, size_t left, size_t right, size_t margin, float* out,
                     int workers) {
  if (left + right > rows) throw DspError("BAD_WINDOW", "the margins are longer than the window");
  if (left > margin || right > margin) throw DspError("BAD_WINDOW", "the fetched neighbours exceed the phase-shift margin");
  const size_t keep = rows - left - right;
  const size_t n = keep + 2 * margin;
  std::vector<double> taper(margin);
  for (size_t k = 0; k < margin; k++) taper[k] = (1.0 - std::cos(double(k) / double(margin) * kPi)) / 2.0;
  std::vector<double> omega(n / 2 + 1);
  const double inv_n = 1.0 / double(n);
  for (size_t k = 0; k < omega.size(); k++) omega[k] = 2.0 * kPi * (double(k) * inv_n);  // 2π·rfftfreq(n)

  over_channel_blocks(channels, workers, [&](size_t c0, size_t c1) {
    RealFft fft(n);
    WorkBuffer<double> buf(n);
    std::vector<cplx> spec(fft.bins());
    // Buffer row j is window row left − margin + j: zeros where nothing was fetched.
    const std::ptrdiff_t first = std::ptrdiff_t(left) - std::ptrdiff_t(margin);
    for (size_t c = c0; c < c1; c++) {
      for (size_t j = 0; j < n; j++) {
        const std::ptrdiff_t r = first + std::ptrdiff_t(j);
        buf[j] = r < 0 || r >= std::ptrdiff_t(rows) ? 0.0 : double(in[size_t(r) * channels + c]);
      }
      if constexpr (std::is_floating_point_v<In>)
        for (size_t j = 0; j < n; j++)
          if (!std::isfinite(buf[j])) throw DspError("NON_FINITE_INPUT", "the input contains NaN or infinite samples");
      for (size_t k = 0; k < margin; k++) {
        buf[k] *= taper[k];
        buf[n - 1 - k] *= taper[k];
      }
      fft.forward(buf.data(), spec.data());
      for (size_t k = 0; k < spec.size(); k++) {
        const double phi = omega[k] * shifts[c];
        spec[k] *= cplx(std::cos(phi), -std::sin(phi));
      }
      fft.inverse(spec.data(), buf.data());
      for (size_t t = 0; t < keep; t++) out[t * channels + c] = float(buf[margin + t]);
    }
  });
}

template void phase_shift_fir<int16_t>(const int16_t*, size_t, size_t, const float*, int, size_t, size_t, float*, int, const int16_t*, size_t);
template void phase_shift_fir<float>(const float*, size_t, size_t, const float*, int, size_t, size_t, float*, int, const float*, size_t);
template void phase_shift_fft<int16_t>(const int16_t*, size_t, size_t, const double*, size_t, size_t, size_t, float*, int);
template void phase_shift_fft<float>(const float*, size_t, size_t, const double*, size_t, size_t, size_t, float*, int);

}  // namespace probedeck

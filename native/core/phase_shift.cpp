#include "phase_shift.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "cpu_features.hpp"
#include "dsp_error.hpp"
#include "fft.hpp"
#include "reference.hpp"
#include "stream_store.hpp"
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
    if (!(std::abs(sum) > 1e-3)) throw DspError("BAD_SHIFT", "a shift of " + std::to_string(shifts[c]) + " samples is too far from the FIR kernel's middle tap");
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
constexpr size_t kRowBlock = 128;  // rows per block: a block of all channels and its K − 1 halo rows stay in L2

PROBEDECK_INLINE v8f load8(const float* p) { return *reinterpret_cast<const v8f_unaligned*>(p); }
PROBEDECK_INLINE void store8(float* p, v8f v) { *reinterpret_cast<v8f_unaligned*>(p) = v; }

// The window the FIR reads: `before_rows` carried rows at `before`, then the caller's `in`.
template <class In>
struct FirInput {
  const In* in;
  const In* before;
  size_t before_rows, rows, left, channels;
  const In* row(size_t r) const { return r < before_rows ? before + r * channels : in + (r - before_rows) * channels; }
};

// R output rows of one 8-channel group at once: R independent accumulators hide the add latency
// (one chain of K dependent adds per output would bound the loop), and each kernel load serves R rows.
// K is a template argument (one of the three tap counts offered): a fixed trip count, unrolled whole.
// `poison` turns NaN if an output is NaN or ±inf (x − x is 0 only for finite x): two adds on ports
// the multiply-adds leave idle, where a check of the input costs a pass over it.
template <int R, int K>
PROBEDECK_INLINE void fir_rows(const float* src, size_t width, const float* h, float* dst, v8f& poison) {
  v8f acc[R];
  for (int r = 0; r < R; r++) acc[r] = v8f{};
#pragma GCC unroll 16
  for (int k = 0; k < K; k++) {
    const v8f hk = load8(h + size_t(k) * width);
    for (int r = 0; r < R; r++) acc[r] += hk * load8(src + size_t(r + k) * width);
  }
  for (int r = 0; r < R; r++) store8(dst + size_t(r) * width, acc[r]), poison += acc[r] - acc[r];
}

PROBEDECK_INLINE bool finite(v8f poison) {
  bool ok = true;
  for (int i = 0; i < 8; i++) ok &= poison[i] == poison[i];
  return ok;
}

// Row conversion to float32; for float input, reports whether every value was finite (x − x is
// 0 only for finite x), in a form the compiler vectorises.
template <class In>
PROBEDECK_INLINE bool convert_row(const In* s, size_t n, float* d) {
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

// One worker's scratch: the kernels (K rows × width, width the channel count rounded up to a multiple
// of 8, zero past the last channel), a block of source rows in float32, and one batch of output rows.
struct FirScratch {
  size_t width;
  WorkBuffer<float> h, src, stage;
  RowReference* reference = nullptr;  // references each batch in the stage before it is stored
};

/**
 * Output rows [o0, o0 + n): their n + K − 1 source rows (row j is window row left + o0 − K/2 + j)
 * are read where they are when they are float32 rows of the caller's input with no lane past the last
 * channel; otherwise (int16, the carried rows before the input, rows outside the window, which are
 * zero, or a channel count off the 8-lane grid) they are converted once into scratch.src. Rows are
 * filtered in batches of 8, each batch computed into scratch.stage and stored whole.
 * Returns false if a float input held NaN or ±inf.
 */
template <int K, class In>
PROBEDECK_INLINE bool fir_block_taps(const FirInput<In>& x, size_t o0, size_t n, size_t next_n, FirScratch& s, float* out, bool streaming) {
  const size_t width = s.width, channels = x.channels;
  const std::ptrdiff_t first = std::ptrdiff_t(x.left + o0) - std::ptrdiff_t(K / 2);
  const float* src = s.src.data();
  bool in_place = false;
  if constexpr (std::is_same_v<In, float>) {
    in_place = width == channels && first >= std::ptrdiff_t(x.before_rows) && size_t(first) + n + K - 1 <= x.rows;
    if (in_place) src = x.row(size_t(first));
  }
  if (!in_place) {
    float* d = s.src.data();
    for (size_t j = 0; j < n + K - 1; j++, d += width) {
      const std::ptrdiff_t r = first + std::ptrdiff_t(j);
      if (r < 0 || r >= std::ptrdiff_t(x.rows)) {
        std::fill(d, d + channels, 0.0f);
      } else if (!convert_row(x.row(size_t(r)), channels, d)) {
        return false;
      }
    }
  }
  // Read in place, the input is checked through the output: a NaN or ±inf within a row's K taps makes
  // it NaN or ±inf (0 × inf is NaN). One that is not came from finite input too large for float32.
  const auto input_finite = [&](size_t i, size_t rows) {
    int bad = 0;
    for (const float* v = src + i * width; v < src + (i + rows + K - 1) * width; v++) bad |= !(*v - *v == 0.0f);
    return bad == 0;
  };
  // The rows the next block adds (next_n of them) are prefetched while this one computes: 8 rows
  // with each batch, their lines spread a few at a time over the batch's channel groups (all at
  // once, they stalled the multiply-adds). Read only when the next block converted them, they kept
  // the core waiting on memory a quarter of its time: 10 s × 384 took 0.063 s at W=1 and 0.034 s
  // at W=2, now 0.047 and 0.026.
  const std::ptrdiff_t ahead = first + std::ptrdiff_t(n + K - 1);
  const size_t row_bytes = channels * sizeof(In);
  const size_t row_lines = (row_bytes + 63) / 64 + 1;            // + 1: rows need not start a line
  const size_t per_group = (8 * row_lines * 8 + width - 1) / width;  // lines prefetched per group of 8 channels
  const char* pf_row[8];
  const auto plan_prefetch = [&](size_t i) {
    for (size_t j = 0; j < 8; j++) {
      const std::ptrdiff_t r = ahead + std::ptrdiff_t(i + j);
      pf_row[j] = i + j >= next_n || r < 0 || r >= std::ptrdiff_t(x.rows) ? nullptr : reinterpret_cast<const char*>(x.row(size_t(r)));
    }
  };
  const auto prefetch_some = [&](size_t g) {
    for (size_t l = g / 8 * per_group; l < std::min(8 * row_lines, (g / 8 + 1) * per_group); l++) {
      const char* row = pf_row[l / row_lines];
      // The line holding the byte, the row's last for the one past it (an address within the row).
      if (row) __builtin_prefetch(row + std::min((l % row_lines) * 64, row_bytes - 1));
    }
  };
  // Row batches outside, channel groups inside: each batch's K + 7 source rows stay in L1 while
  // every group reads them, and its output rows leave whole and in order.
  float* dst = out + o0 * channels;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    plan_prefetch(i);
    v8f poison{};
    for (size_t g = 0; g < width; g += 8) {
      prefetch_some(g);
      fir_rows<8, K>(src + i * width + g, width, s.h.data() + g, s.stage.data() + g, poison);
    }
    if (in_place && !finite(poison) && !input_finite(i, 8)) return false;
    if (s.reference) s.reference->apply(s.stage.data(), 8, width);
    for (size_t r = 0; r < 8; r++) store_row(dst + (i + r) * channels, s.stage.data() + r * width, channels, streaming);
  }
  for (; i < n; i++) {
    v8f poison{};
    for (size_t g = 0; g < width; g += 8) fir_rows<1, K>(src + i * width + g, width, s.h.data() + g, s.stage.data() + g, poison);
    if (in_place && !finite(poison) && !input_finite(i, 1)) return false;
    if (s.reference) s.reference->apply(s.stage.data(), 1, width);
    store_row(dst + i * channels, s.stage.data(), channels, streaming);
  }
  return true;
}

template <class In>
PROBEDECK_INLINE bool fir_block_body(const FirInput<In>& x, int taps, size_t o0, size_t n, size_t next_n, FirScratch& s, float* out, bool streaming) {
  switch (taps) {
    case 16: return fir_block_taps<16>(x, o0, n, next_n, s, out, streaming);
    case 32: return fir_block_taps<32>(x, o0, n, next_n, s, out, streaming);
    default: return fir_block_taps<64>(x, o0, n, next_n, s, out, streaming);
  }
}

#if defined(PROBEDECK_X86_DISPATCH)
// AVX2 with FMA where the CPU has both, as the float32 filters: the kernels are float32 already, and
// a fused multiply-add rounds once where a multiply then an add round twice.
template <class In>
__attribute__((target("avx2,fma"), optimize("fp-contract=fast"))) bool fir_block_fma(const FirInput<In>& x, int taps, size_t o0, size_t n,
                                                                                   size_t next_n, FirScratch& s, float* out, bool streaming) {
  return fir_block_body(x, taps, o0, n, next_n, s, out, streaming);
}
#endif

template <class In>
/** next_n: the rows of the worker's next block (0: none), whose input is prefetched. */
bool fir_block(const FirInput<In>& x, int taps, size_t o0, size_t n, size_t next_n, FirScratch& s, float* out, bool streaming) {
#if defined(PROBEDECK_X86_DISPATCH)
  if (cpu_has_avx2_fma()) return fir_block_fma(x, taps, o0, n, next_n, s, out, streaming);
#endif
  return fir_block_body(x, taps, o0, n, next_n, s, out, streaming);
}

}  // namespace

template <class In>
void phase_shift_fir(const In* in, size_t in_rows, size_t channels, const float* kernels, int taps, size_t left, size_t right, float* out, int workers,
                     const In* before, size_t before_rows, const ReferencePlan* reference) {
  check_taps(taps);
  const size_t rows = before_rows + in_rows;
  if (left + right > rows) throw DspError("BAD_WINDOW", "the margins are longer than the window");
  const size_t keep = rows - left - right;
  const size_t K = size_t(taps);
  const bool streaming = keep * channels * sizeof(float) > kStreamingStoreBytes;
  const FirInput<In> x{in, before, before_rows, rows, left, channels};
  const std::unique_ptr<PreparedReference> prepared = reference ? std::make_unique<PreparedReference>(*reference, channels) : nullptr;
  // Output rows split over the workers, each with every channel (each output row needs only its
  // K input rows, so rows split as well as channels do): a worker then reads whole rows, one stream
  // through memory. Split by channels, every worker reads part of every row, and two such streams
  // read no faster than one (9–11 GB/s against 19 GB/s for two whole-row streams on a 2-core VM).
  const size_t width = (channels + 7) / 8 * 8;
  // At least 64 rows a worker: fewer would convert more halo rows than they compute.
  const size_t blocks = std::max<size_t>(1, std::min<size_t>(size_t(std::max(workers, 1)), keep / 64));
  pool_for_this_thread(workers).parallel_for(int(blocks), [&](int b) {
    const size_t o_begin = keep * size_t(b) / blocks, o_end = keep * size_t(b + 1) / blocks;
    // Scratch sized to this worker's rows: a live chunk is a few hundred rows, and filling a whole
    // block's worth on every call cost more than its filter.
    const size_t block_rows = std::min(kRowBlock, o_end - o_begin) + K - 1;
    FirScratch s{width, WorkBuffer<float>(K * width), WorkBuffer<float>(block_rows * width), WorkBuffer<float>(8 * width)};
    std::optional<RowReference> row_reference;
    if (prepared) s.reference = &row_reference.emplace(*prepared);
    std::fill(s.h.data(), s.h.data() + s.h.size(), 0.0f);
    for (size_t k = 0; k < K; k++) std::copy(kernels + k * channels, kernels + (k + 1) * channels, s.h.data() + k * width);
    // The rows' columns past the last channel (up to the next multiple of 8) are read, never written.
    for (size_t j = 0; j < block_rows; j++) std::fill(s.src.data() + j * width + channels, s.src.data() + (j + 1) * width, 0.0f);
    for (size_t o0 = o_begin; o0 < o_end; o0 += kRowBlock) {
      const size_t n = std::min(kRowBlock, o_end - o0);
      if (!fir_block(x, taps, o0, n, std::min(kRowBlock, o_end - o0 - n), s, out, streaming)) {
        throw DspError("NON_FINITE_INPUT", "the input contains NaN or infinite samples");
      }
    }
    streaming_stores_done();
  });
}

constexpr size_t kExactEvery = 64;
constexpr size_t kGather = 16;  // 64 bytes of float32: a cache line of each row

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
    // kGather channels at a time: a row's cache line is read (and written) once for all of them,
    // where one channel at a time streamed the whole window through memory once per channel.
    WorkBuffer<double> buf(n * kGather);
    std::vector<cplx> spec(fft.bins());
    // Buffer row j is window row left − margin + j: zeros where nothing was fetched.
    const std::ptrdiff_t first = std::ptrdiff_t(left) - std::ptrdiff_t(margin);
    for (size_t g0 = c0; g0 < c1; g0 += kGather) {
      const size_t g = std::min(kGather, c1 - g0);
      for (size_t j = 0; j < n; j++) {
        const std::ptrdiff_t r = first + std::ptrdiff_t(j);
        for (size_t i = 0; i < g; i++) buf[i * n + j] = r < 0 || r >= std::ptrdiff_t(rows) ? 0.0 : double(in[size_t(r) * channels + g0 + i]);
      }
      for (size_t i = 0; i < g; i++) {
        const size_t c = g0 + i;
        double* x = buf.data() + i * n;
        if constexpr (std::is_floating_point_v<In>)
          for (size_t j = 0; j < n; j++)
            if (!std::isfinite(x[j])) throw DspError("NON_FINITE_INPUT", "the input contains NaN or infinite samples");
        for (size_t k = 0; k < margin; k++) {
          x[k] *= taper[k];
          x[n - 1 - k] *= taper[k];
        }
        fft.forward(x, spec.data());
        // e^(−i·ω_k·shift) = r^k: exact every kExactEvery bins, by the step r in between (rounding
        // grows by ~1e-16 a step, far inside the 1e-6 of SI parity); a sin and cos per bin cost as much as the transforms.
        const double w1 = spec.size() > 1 ? omega[1] * shifts[c] : 0.0;
        const cplx step(std::cos(w1), -std::sin(w1));
        cplx rot;
        for (size_t k = 0; k < spec.size(); k++) {
          if (k % kExactEvery == 0) {
            const double phi = omega[k] * shifts[c];
            rot = cplx(std::cos(phi), -std::sin(phi));
          } else {
            rot = complex_mul(rot, step);
          }
          spec[k] = complex_mul(spec[k], rot);
        }
        fft.inverse(spec.data(), x);
      }
      for (size_t t = 0; t < keep; t++)
        for (size_t i = 0; i < g; i++) out[t * channels + g0 + i] = float(buf[i * n + margin + t]);
    }
  });
}

template void phase_shift_fir<int16_t>(const int16_t*, size_t, size_t, const float*, int, size_t, size_t, float*, int, const int16_t*, size_t, const ReferencePlan*);
template void phase_shift_fir<float>(const float*, size_t, size_t, const float*, int, size_t, size_t, float*, int, const float*, size_t, const ReferencePlan*);
template void phase_shift_fft<int16_t>(const int16_t*, size_t, size_t, const double*, size_t, size_t, size_t, float*, int);
template void phase_shift_fft<float>(const float*, size_t, size_t, const double*, size_t, size_t, size_t, float*, int);

}  // namespace probedeck

#include "filter_ops.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "dsp_error.hpp"
#include "sosfilt.hpp"
#include "thread_pool.hpp"
#include "work_buffer.hpp"

namespace probedeck {

namespace {

size_t tiles_of(size_t channels) { return (channels + kTile - 1) / kTile; }

// Splits the tiles into at most `workers` contiguous blocks and runs body(first_tile, end_tile).
template <class Body>
void over_tile_blocks(size_t channels, int workers, Body body) {
  const size_t n = tiles_of(channels);
  const int blocks = int(std::min<size_t>(n, size_t(std::max(workers, 1))));
  pool_for_this_thread(workers).parallel_for(blocks, [&](int b) { body(n * b / blocks, n * (b + 1) / blocks); });
}

// Copies rows of one tile into a dense rows×kTile float64 buffer; missing lanes are zero.
template <class In>
void gather(const In* in, size_t rows, size_t channels, size_t c0, double* dst) {
  const size_t w = std::min<size_t>(kTile, channels - c0);
  if (w == kTile) {  // constant trip count: vectorised conversion
    for (size_t t = 0; t < rows; t++) {
      const In* src = in + t * channels + c0;
      double* d = dst + t * kTile;
      for (int j = 0; j < kTile; j++) d[j] = double(src[j]);
    }
    return;
  }
  for (size_t t = 0; t < rows; t++) {
    const In* src = in + t * channels + c0;
    double* d = dst + t * kTile;
    size_t j = 0;
    for (; j < w; j++) d[j] = double(src[j]);
    for (; j < kTile; j++) d[j] = 0.0;
  }
}

void scatter(const double* src, size_t rows, size_t channels, size_t c0, float* out) {
  const size_t w = std::min<size_t>(kTile, channels - c0);
  if (w == kTile) {
    for (size_t t = 0; t < rows; t++) {
      const double* s = src + t * kTile;
      float* o = out + t * channels + c0;
      for (int j = 0; j < kTile; j++) o[j] = float(s[j]);
    }
    return;
  }
  for (size_t t = 0; t < rows; t++) {
    const double* s = src + t * kTile;
    float* o = out + t * channels + c0;
    for (size_t j = 0; j < w; j++) o[j] = float(s[j]);
  }
}

void check_finite(const double* tile, size_t rows) {
  for (size_t i = 0; i < rows * kTile; i++)
    if (!std::isfinite(tile[i])) throw DspError("NON_FINITE_INPUT", "the input contains NaN or infinite samples");
}


constexpr size_t kBlockRows = 1024;  // 1024 rows × 16 channels × 8 bytes = 128 KiB: stays in L2

// Causal filtering of one tile in time blocks (gather → filter → scatter while the block is in
// cache); the state carries from block to block. Rows [left, left+keep) are written to out.
template <class In>
void causal_blocks(const In* in, size_t rows, size_t channels, size_t c0, const SosFilter& f, double* state, double* block, size_t left, size_t keep,
                   float* out) {
  for (size_t r0 = 0; r0 < rows; r0 += kBlockRows) {
    const size_t n = std::min(kBlockRows, rows - r0);
    gather(in + r0 * channels, n, channels, c0, block);
    if constexpr (std::is_floating_point_v<In>) check_finite(block, n);
    sosfilt_tile(f.sos.data(), f.n_sections(), block, std::ptrdiff_t(n), kTile, state);
    // Keep only the rows inside [left, left + keep).
    const size_t a = std::max(r0, left), b = std::min(r0 + n, left + keep);
    if (a < b) scatter(block + (a - r0) * kTile, b - a, channels, c0, out + (a - left) * channels);
  }
}

}  // namespace

template <class In>
void filter_window(const In* in, size_t rows, size_t channels, const SosFilter& f, FilterMode mode, size_t left, size_t right, float* out,
                   int workers) {
  if (left + right > rows) throw DspError("BAD_WINDOW", "the margins are longer than the window");
  const int ns = f.n_sections();
  const size_t keep = rows - left - right;
  const int padlen = mode == FilterMode::zero_phase ? sosfiltfilt_padlen(f.sos.data(), ns) : 0;
  if (mode == FilterMode::zero_phase && rows <= size_t(padlen)) {
    throw DspError("WINDOW_TOO_SHORT", "a zero-phase window (with margins) must be longer than scipy's padlen of " + std::to_string(padlen) +
                                           " samples, got " + std::to_string(rows));
  }
  const std::vector<double> zi = sosfilt_zi(f.sos.data(), ns);
  const size_t ext = rows + 2 * size_t(padlen);

  over_tile_blocks(channels, workers, [&](size_t t0, size_t t1) {
    WorkBuffer<double> buf(ext * kTile);
    WorkBuffer<double> state(size_t(ns) * 2 * kTile);
    double* x = buf.data() + size_t(padlen) * kTile;  // the window's first row inside the extension
    for (size_t tile = t0; tile < t1; tile++) {
      const size_t c0 = tile * kTile;
      if (mode == FilterMode::causal) {
        std::fill(state.data(), state.data() + state.size(), 0.0);
        causal_blocks(in, rows, channels, c0, f, state.data(), buf.data(), left, keep, out);
        continue;
      }
      gather(in, rows, channels, c0, x);
      if constexpr (std::is_floating_point_v<In>) check_finite(x, rows);
      {
        // Odd extension: 2·x[0] − x[i] before, 2·x[n−1] − x[n−1−i] after.
        for (int i = 1; i <= padlen; i++)
          for (int j = 0; j < kTile; j++) {
            x[-i * kTile + j] = 2 * x[j] - x[i * kTile + j];
            x[(rows - 1 + i) * kTile + j] = 2 * x[(rows - 1) * kTile + j] - x[(rows - 1 - i) * kTile + j];
          }
        double* first = buf.data();
        double* last = buf.data() + (ext - 1) * kTile;
        for (int s = 0; s < ns; s++)
          for (int j = 0; j < kTile; j++) {
            state[(s * 2) * kTile + j] = zi[s * 2] * first[j];
            state[(s * 2 + 1) * kTile + j] = zi[s * 2 + 1] * first[j];
          }
        sosfilt_tile(f.sos.data(), ns, first, std::ptrdiff_t(ext), kTile, state.data());
        for (int s = 0; s < ns; s++)
          for (int j = 0; j < kTile; j++) {
            state[(s * 2) * kTile + j] = zi[s * 2] * last[j];
            state[(s * 2 + 1) * kTile + j] = zi[s * 2 + 1] * last[j];
          }
        sosfilt_tile(f.sos.data(), ns, last, std::ptrdiff_t(ext), -std::ptrdiff_t(kTile), state.data());
      }
      scatter(x + left * kTile, keep, channels, c0, out);
    }
  });
}

template <class In>
void filter_stream(const In* in, size_t rows, size_t channels, const SosFilter& f, double* state, float* out, int workers) {
  const int ns = f.n_sections();
  over_tile_blocks(channels, workers, [&](size_t t0, size_t t1) {
    // Row blocks outside, tiles inside: a block of all this worker's channels stays in cache while
    // each tile filters its part of it, with its own carried state.
    const size_t nt = t1 - t0;
    WorkBuffer<double> buf(std::min(rows, kBlockRows) * kTile);
    WorkBuffer<double> tile_state(nt * size_t(ns) * 2 * kTile);
    for (size_t i = 0; i < nt; i++) {
      const size_t c0 = (t0 + i) * kTile;
      const size_t w = std::min<size_t>(kTile, channels - c0);
      for (int k = 0; k < ns * 2; k++)
        for (int j = 0; j < kTile; j++) tile_state[(i * ns * 2 + k) * kTile + j] = size_t(j) < w ? state[k * channels + c0 + j] : 0.0;
    }
    for (size_t r0 = 0; r0 < rows; r0 += kBlockRows) {
      const size_t n = std::min(kBlockRows, rows - r0);
      for (size_t i = 0; i < nt; i++) {
        const size_t c0 = (t0 + i) * kTile;
        gather(in + r0 * channels, n, channels, c0, buf.data());
        if constexpr (std::is_floating_point_v<In>) check_finite(buf.data(), n);
        sosfilt_tile(f.sos.data(), ns, buf.data(), std::ptrdiff_t(n), kTile, tile_state.data() + i * ns * 2 * kTile);
        scatter(buf.data(), n, channels, c0, out + r0 * channels);
      }
    }
    for (size_t i = 0; i < nt; i++) {
      const size_t c0 = (t0 + i) * kTile;
      const size_t w = std::min<size_t>(kTile, channels - c0);
      for (int k = 0; k < ns * 2; k++)
        for (size_t j = 0; j < w; j++) state[k * channels + c0 + j] = tile_state[(i * ns * 2 + k) * kTile + j];
    }
  });
}

template void filter_window<int16_t>(const int16_t*, size_t, size_t, const SosFilter&, FilterMode, size_t, size_t, float*, int);
template void filter_window<float>(const float*, size_t, size_t, const SosFilter&, FilterMode, size_t, size_t, float*, int);
template void filter_stream<int16_t>(const int16_t*, size_t, size_t, const SosFilter&, double*, float*, int);
template void filter_stream<float>(const float*, size_t, size_t, const SosFilter&, double*, float*, int);

}  // namespace probedeck

// Neuropixels ADC phase shift: each channel is resampled at a fractional delay (its ADC slot's
// offset) so all channels line up with slot 0. Two methods, as SpikeInterface offers them:
//   fft — SI's phase_shift: zero-padded, raised-cosine-tapered margin, rfft · e^(−iωs), irfft, in float64;
//   fir — SI PR #4563: a K-tap Kaiser-windowed sinc per channel in float32, K/2 rows of margin,
//         zeros past the recording's ends; cheap enough for live data.
// Data are time-major (T × C). `in` holds rows [start−left, end+right) as fetched; missing
// neighbours beyond what was fetched count as zeros (they lie outside the recording).
#pragma once
#include <cstddef>
#include <vector>

#include "reference.hpp"

namespace probedeck {

/** K × C float32 kernels: h_c[k] = sinc(k − K/2 + s_c)·kaiser(K, β)[k], scaled to unit sum. */
std::vector<float> fir_phase_kernels(const double* shifts, size_t channels, int taps, double beta);

/**
 * y[t, c] = Σ_k h[k, c]·x[t − K/2 + k, c], accumulated in float32 in ascending k. The window is
 * `before_rows` rows at `before` (a stream's carried rows) followed by the `in_rows` rows of `in`, so a
 * stream never copies its chunk behind its history. With a `reference`, each output row is also
 * re-referenced (common_reference's result, bit for bit) while it is still in cache, before it is stored.
 */
template <class In>
void phase_shift_fir(const In* in, size_t in_rows, size_t channels, const float* kernels, int taps, size_t left, size_t right, float* out, int workers,
                     const In* before = nullptr, size_t before_rows = 0, const ReferencePlan* reference = nullptr);

/** SI's FFT method over a buffer of (rows − left − right) + 2·margin rows. */
template <class In>
void phase_shift_fft(const In* in, size_t rows, size_t channels, const double* shifts, size_t left, size_t right, size_t margin, float* out,
                     int workers);

}  // namespace probedeck

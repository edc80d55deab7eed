// What the probe map and the spectrum panel show, computed where the data is: per-channel activity
// over a window (RMS, peak-to-peak, threshold crossings) and Welch PSDs of chosen channels.
#pragma once
#include <cstddef>

namespace probedeck {

/** Over rows of time-major float32: RMS, peak-to-peak, the noise σ = median(|x|)/0.6745 (the usual
 *  spike-detection estimate) and the number of downward crossings of −k·σ, per channel. */
void channel_activity(const float* x, size_t rows, size_t channels, double k, double* rms, double* ptp, double* sigma, double* crossings, int workers);

/** scipy.signal.welch (Hann, 50 % overlap, density) of each listed channel: out is n × (nperseg/2+1). */
void welch_channels(const float* x, size_t rows, size_t channels, const int* list, size_t n, size_t nperseg, double fs, double* out, int workers);

}  // namespace probedeck

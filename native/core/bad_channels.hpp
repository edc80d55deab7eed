// The per-channel measurements bad-channel detection decides from (SpikeInterface's
// detect_bad_channels; the decisions themselves are cheap and made in TS):
//   IBL coherence+psd — similarity to the median trace, and mean PSD above a fraction of Nyquist;
//   std / mad         — each channel's spread.
// And the interpolation of bad channels from good neighbours (interpolate_bad_channels).
#pragma once
#include <cstddef>
#include <vector>

namespace probedeck {

/**
 * One chunk (T × C float32 µV, channels in depth order): after removing each channel's mean,
 * xcorr[c] = Σ_t x[t,c]·ref[t] / Σ_t ref[t]², ref = the median across channels;
 * psd_hf[c] = mean Welch density (µV²/Hz) over frequencies above nyquist_fraction · fs/2.
 */
void ibl_channel_features(const float* data, size_t rows, size_t channels, double fs, size_t nperseg, double nyquist_fraction, double* xcorr,
                          double* psd_hf, int workers);

enum class Deviation { std_dev, mad };

/** Per channel: population standard deviation, or median |x − median(x)|. */
void channel_deviation(const float* data, size_t rows, size_t channels, Deviation kind, double* out, int workers);

/**
 * In place: channel targets[i] becomes Σ_j weights[j]·data[t, sources[j]] over j in
 * [offsets[i], offsets[i+1]). Sources must not be targets.
 */
void interpolate_channels(float* data, size_t rows, size_t channels, const std::vector<int>& targets, const std::vector<int>& offsets,
                          const std::vector<int>& sources, const std::vector<float>& weights, int workers);

}  // namespace probedeck

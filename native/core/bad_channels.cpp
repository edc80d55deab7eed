#include "bad_channels.hpp"

#include <algorithm>
#include <cmath>

#include "dsp_error.hpp"
#include "thread_pool.hpp"
#include "welch.hpp"
#include "work_buffer.hpp"

namespace probedeck {

namespace {

constexpr size_t kGather = 16;  // channels per row pass: 64 bytes of float32, a cache line of each row

// numpy's median: the mean of the two middle values for an even count. Reorders v.
double median_of(double* v, size_t n) {
  const size_t mid = n / 2;
  std::nth_element(v, v + mid, v + n);
  const double hi = v[mid];
  if (n % 2 == 1) return hi;
  return (*std::max_element(v, v + mid) + hi) / 2.0;
}

// Runs body(i0, i1) over `blocks` contiguous parts of [0, n) on the caller's inner pool.
template <class Body>
void over_parts(size_t n, int workers, Body body) {
  const int blocks = int(std::max<size_t>(1, std::min<size_t>(n, size_t(std::max(workers, 1)))));
  pool_for_this_thread(workers).parallel_for(blocks, [&](int b) { body(n * size_t(b) / size_t(blocks), n * size_t(b + 1) / size_t(blocks)); });
}

void check_finite(const float* data, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!std::isfinite(data[i])) throw DspError("NON_FINITE_INPUT", "the data contain NaN or infinite samples");
}

}  // namespace

void ibl_channel_features(const float* data, size_t rows, size_t channels, double fs, size_t nperseg, double nyquist_fraction, double* xcorr,
                          double* psd_hf, int workers) {
  if (rows < nperseg || nperseg < 2) throw DspError("WINDOW_TOO_SHORT", "the chunk is shorter than one Welch segment");
  check_finite(data, rows * channels);
  // A channel-major copy, made kGather channels per pass over the rows: the per-channel passes below
  // (mean, correlation with the median, Welch) then read contiguous memory. Read with a stride,
  // each of their reads missed the cache on a chunk larger than it, and they took most of the time.
  WorkBuffer<float> cols(rows * channels);
  std::vector<double> mean(channels, 0.0);
  over_parts(channels, workers, [&](size_t c0, size_t c1) {
    for (size_t g0 = c0; g0 < c1; g0 += kGather) {
      const size_t g = std::min(kGather, c1 - g0);
      for (size_t t = 0; t < rows; t++)
        for (size_t i = 0; i < g; i++) cols[(g0 + i) * rows + t] = data[t * channels + g0 + i];
    }
    for (size_t c = c0; c < c1; c++) {
      const float* x = cols.data() + c * rows;
      double s = 0;
      for (size_t t = 0; t < rows; t++) s += x[t];
      mean[c] = s / double(rows);
    }
  });
  std::vector<double> ref(rows);
  over_parts(rows, workers, [&](size_t t0, size_t t1) {
    WorkBuffer<double> row(channels);
    for (size_t t = t0; t < t1; t++) {
      for (size_t c = 0; c < channels; c++) row[c] = double(data[t * channels + c]) - mean[c];
      ref[t] = median_of(row.data(), channels);
    }
  });
  double ref2 = 0;
  for (double r : ref) ref2 += r * r;
  over_parts(channels, workers, [&](size_t c0, size_t c1) {
    Welch welch(nperseg, fs);
    std::vector<double> psd(welch.bins());
    for (size_t c = c0; c < c1; c++) {
      const float* x = cols.data() + c * rows;
      double s = 0;
      for (size_t t = 0; t < rows; t++) s += (double(x[t]) - mean[c]) * ref[t];
      xcorr[c] = s / ref2;  // a flat median (all channels dead) gives NaN, as numpy does
      welch.density(x, rows, 1, psd.data());
      double sum = 0;
      size_t n = 0;
      for (size_t k = 0; k < psd.size(); k++)
        if (welch.frequency(k) > fs / 2 * nyquist_fraction) sum += psd[k], n++;
      psd_hf[c] = n ? sum / double(n) : 0.0;
    }
  });
}

void channel_deviation(const float* data, size_t rows, size_t channels, Deviation kind, double* out, int workers) {
  if (rows == 0) throw DspError("WINDOW_TOO_SHORT", "no samples to measure");
  check_finite(data, rows * channels);
  over_parts(channels, workers, [&](size_t c0, size_t c1) {
    WorkBuffer<double> col(rows);
    for (size_t c = c0; c < c1; c++) {
      for (size_t t = 0; t < rows; t++) col[t] = data[t * channels + c];
      if (kind == Deviation::std_dev) {
        double m = 0, v = 0;
        for (size_t t = 0; t < rows; t++) m += col[t];
        m /= double(rows);
        for (size_t t = 0; t < rows; t++) v += (col[t] - m) * (col[t] - m);
        out[c] = std::sqrt(v / double(rows));
      } else {
        const double med = median_of(col.data(), rows);
        for (size_t t = 0; t < rows; t++) col[t] = std::abs(col[t] - med);
        out[c] = median_of(col.data(), rows);
      }
    }
  });
}

void interpolate_channels(float* data, size_t rows, size_t channels, const std::vector<int>& targets, const std::vector<int>& offsets,
                          const std::vector<int>& sources, const std::vector<float>& weights, int workers) {
  if (offsets.size() != targets.size() + 1) throw DspError("BAD_INTERPOLATION", "the interpolation plan is malformed");
  // planInterpolation makes these; one made by hand must still not reach outside a row or its arrays.
  const auto channel = [&](int c) { return c >= 0 && size_t(c) < channels; };
  if (offsets[0] != 0 || size_t(offsets.back()) > std::min(sources.size(), weights.size()))
    throw DspError("BAD_INTERPOLATION", "the interpolation plan's offsets run outside its sources");
  for (size_t i = 0; i < targets.size(); i++)
    if (!channel(targets[i]) || offsets[i + 1] < offsets[i]) throw DspError("BAD_INTERPOLATION", "the interpolation plan names a channel outside the data");
  for (int j = 0; j < offsets.back(); j++)
    if (!channel(sources[size_t(j)])) throw DspError("BAD_INTERPOLATION", "the interpolation plan names a channel outside the data");
  over_parts(rows, workers, [&](size_t t0, size_t t1) {
    for (size_t t = t0; t < t1; t++) {
      float* row = data + t * channels;
      for (size_t i = 0; i < targets.size(); i++) {
        float acc = 0.0f;  // float32, as numpy's float32 matmul of traces and weights
        for (int j = offsets[i]; j < offsets[i + 1]; j++) acc += weights[size_t(j)] * row[sources[size_t(j)]];
        row[targets[i]] = acc;
      }
    }
  });
}

}  // namespace probedeck

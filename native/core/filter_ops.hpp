// Whole-window filtering on time-major T×C data, split across the calling thread's inner pool by
// contiguous blocks of channel tiles.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "reference.hpp"

namespace probedeck {

enum class FilterMode { zero_phase, causal };

/**
 * float64 matches scipy bit for bit; float32 is about twice as fast, within 1e-4 of it (RMS-relative).
 * f32 is a request: a filter whose poles sit too near the unit circle for float32 runs in f64.
 */
enum class Precision { f64, f32 };

struct SosFilter {
  std::vector<double> sos;  // n_sections × 6
  int n_sections() const { return int(sos.size() / 6); }
};

/**
 * SpikeInterface FilterRecording.get_traces on one fetched window: `in` holds rows
 * [start-left, end+right) of C channels; `out` receives rows [start, end) as float32.
 * zero_phase = scipy sosfiltfilt (odd extension, sosfilt_zi); causal = sosfilt from zero state.
 * `out` must not overlap `in` (float32 zero-phase writes it before reading the window's last rows).
 * With a `reference`, `out` is then re-referenced: common_reference's result bit for bit, which
 * float32 zero-phase reaches block by block while the rows are still in cache.
 */
template <class In>
void filter_window(const In* in, size_t rows, size_t channels, const SosFilter& f, FilterMode mode, size_t left, size_t right, float* out,
                   int workers, Precision precision = Precision::f64, const ReferencePlan* reference = nullptr);

/**
 * Streaming sosfilt: `state` (stream_state_rows(n_sections) × C, zero at the start of the stream)
 * carries across calls. A stream keeps one precision: the two lay their state out differently.
 */
template <class In>
void filter_stream(const In* in, size_t rows, size_t channels, const SosFilter& f, double* state, float* out, int workers,
                   Precision precision = Precision::f64);

}  // namespace probedeck

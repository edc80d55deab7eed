// Second-order-section IIR passes on channel tiles. Data are time-major: one row per sample, a tile
// of kTile<T> neighbouring channels per row, so the inner loop runs across channels (SIMD) while the
// recursion runs along time. float64 keeps scipy's _sosfilt statement order (transposed direct form
// II) and is bit-identical to scipy.signal.sosfilt. float32 trades that for twice the lanes (and FMA
// where the CPU has it) and a form that rounds less near z = 1 (direct form I on values and their
// differences, see kernel::Form::delta), within 1e-4 of the float64 result relative to its RMS.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace probedeck {

/** Channels per tile. Wide tiles matter more than registers here: each row of a tile is a strided
 * access (a page every few rows), and 64 channels amortise that over 128–256 contiguous bytes. */
template <class T>
constexpr int kTile = 64;

/** Sections a pass runs: an order-10 band-pass (the highest order we design) has 10. */
constexpr int kMaxSections = 10;

/** Per section what the passes read: b0 b1 b2 a1 a2 for double, b0 B1 b2 A1 a2 for float (Form::delta). */
template <class T>
std::vector<T> sos_coefs(const std::vector<double>& sos);

/**
 * State rows per tile: float64 holds per section z0 then z1 (scipy's zi); float32 per stage (the
 * input, then each section) its last value then its carry (kernel::Form::delta). A row is kTile values.
 */
template <class T>
constexpr int state_rows(int n_sections) { return sizeof(T) == 8 ? n_sections * 2 : (n_sections + 1) * 2; }

/** What a streaming filter keeps per channel: the larger layout, so either precision can run. */
constexpr int stream_state_rows(int n_sections) { return state_rows<float>(n_sections); }

/**
 * The state after an endless unit step, state_rows<T> values: scipy.signal.sosfilt_zi for double;
 * for float each stage's steady value (the product of the DC gains so far) and a zero carry.
 */
template <class T>
std::vector<double> step_state(const double* sos, int n_sections);

/**
 * Runs all sections over `rows` rows of one tile: row t is read at src + t·src_step and written at
 * dst + t·dst_step (steps may be negative to run backwards, or 0 to discard the output). state holds
 * state_rows<T> rows of kTile and carries across calls. Returns false if a floating-point
 * input held NaN or ±inf.
 * Instantiated for T = double with S ∈ {int16, float, double}, D ∈ {double, float}, and for
 * T = float with S ∈ {int16, float}, D = float.
 */
template <class T, class S, class D>
bool sos_pass(const T* coef, int n_sections, const S* src, std::ptrdiff_t src_step, D* dst, std::ptrdiff_t dst_step, std::ptrdiff_t rows,
              T* state);
template <>
bool sos_pass(const float* coef, int n_sections, const int16_t* src, std::ptrdiff_t src_step, float* dst, std::ptrdiff_t dst_step,
              std::ptrdiff_t rows, float* state);
template <>
bool sos_pass(const float* coef, int n_sections, const float* src, std::ptrdiff_t src_step, float* dst, std::ptrdiff_t dst_step,
              std::ptrdiff_t rows, float* state);

/** scipy.signal.sosfilt_zi: steady-state initial conditions for a step input, n_sections × 2. */
std::vector<double> sosfilt_zi(const double* sos, int n_sections);

/** scipy's padlen for sosfiltfilt: 3 × (2·n_sections + 1 − min(#b2 == 0, #a2 == 0)). */
int sosfiltfilt_padlen(const double* sos, int n_sections);

}  // namespace probedeck

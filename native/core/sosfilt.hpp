// Second-order-section IIR kernels on channel tiles. Data are time-major: one row per sample, a
// tile of `width` neighbouring channels per row, so the inner loop runs across channels (SIMD)
// while the recursion runs along time. Statement order equals scipy's _sosfilt (transposed
// direct form II), so float64 results are bit-identical to scipy.signal.sosfilt.
#pragma once
#include <cstddef>
#include <vector>

namespace probedeck {

constexpr int kTile = 16;  // channels per tile: 5 sections × 2 states × 16 stay in L1

/**
 * Filters `rows` rows of a tile in place. x points at the first row to process; successive rows are
 * `step` doubles apart (negative to run backwards). state holds n_sections × 2 × kTile values.
 */
void sosfilt_tile(const double* sos, int n_sections, double* x, std::ptrdiff_t rows, std::ptrdiff_t step, double* state);

/** scipy.signal.sosfilt_zi: steady-state initial conditions for a step input, n_sections × 2. */
std::vector<double> sosfilt_zi(const double* sos, int n_sections);

/** scipy's padlen for sosfiltfilt: 3 × (2·n_sections + 1 − min(#b2 == 0, #a2 == 0)). */
int sosfiltfilt_padlen(const double* sos, int n_sections);

}  // namespace probedeck

// numpy's median of one row of float32 values (no NaN): for an even count, the float32 mean of the
// two middle values. Exact for every input; fast for the few hundred channels of a probe.
#pragma once
#include <cstddef>

namespace probedeck {

/** Reorders nothing in v; `scratch` holds at least n floats. v must be finite: NaN never ends a quickselect partition. */
float median_of(const float* v, size_t n, float* scratch);

/** No NaN or ±inf in v. */
bool all_finite(const float* v, size_t n);

/**
 * Medians of consecutive rows of one channel set. A row's median is close to the previous row's
 * moved by as much as the row's (clipped) mean moved (a common mode shifts both), so one pass that counts the
 * values below a narrow window around that guess and gathers those inside usually brackets the
 * middle ranks; the few gathered values are then selected. Exact for any input: a window that
 * misses is followed once by one on the side the middle ranks went, then the general median_of answers.
 */
class MedianTracker {
 public:
  /**
   * `scratch` holds at least n floats. NaN when v holds NaN or ±inf (checked in the pass that
   * gathers the window, or before the general median): never a median of them.
   */
  float operator()(const float* v, size_t n, float* scratch);

 private:
  float last_ = 0.0f;
  float last_mean_ = 0.0f;   // the last row's clipped mean: the next window moves with it
  bool mean_known_ = false;  // whether last_mean_ was taken, so the next window moves with it
  float err_last_ = 0.0f;    // how far the median was from the last one, and from the mean's guess,
  float err_mean_ = 0.0f;    // averaged over the rows guided by the mean
  float half_width_ = 0.0f;
  bool primed_ = false;
  /**
   * Tries [lo, hi]; true and the median in `out` when the window held the middle ranks, else false
   * with `side` −1 if they lie below lo, +1 if above hi.
   */
  static bool try_window(const float* v, size_t n, float* scratch, float lo, float hi, float& out, size_t& gathered, int& side);
};

}  // namespace probedeck

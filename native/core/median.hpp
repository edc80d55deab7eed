// numpy's median of one row of float32 values (no NaN): for an even count, the float32 mean of the
// two middle values. Exact for every input; fast for the few hundred channels of a probe.
#pragma once
#include <cstddef>

namespace probedeck {

/** Reorders nothing in v; `scratch` holds at least n floats. */
float median_of(const float* v, size_t n, float* scratch);

}  // namespace probedeck

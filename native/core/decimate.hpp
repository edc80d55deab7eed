// Min/max decimation for drawing: rows [0, rows) of time-major float32 data split into `columns`
// equal spans (one per pixel column); out holds columns × channels × {min, max}.
#pragma once
#include <cstddef>

namespace probedeck {

void decimate_minmax(const float* in, size_t rows, size_t channels, size_t columns, float* out, int workers);

}  // namespace probedeck

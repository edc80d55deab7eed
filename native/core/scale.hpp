// int16 or float32 → float32 µV (or raw units with gain 1, offset 0), as SpikeInterface's
// return_in_uV: float32(x) · float32(gain) + float32(offset), in float32 arithmetic.
#pragma once
#include <cstddef>
#include <cstdint>

namespace probedeck {

template <class S>
void scale_to_float(const S* in, size_t rows, size_t channels, const float* gain, const float* offset, float* out, int workers);

/**
 * float32 → int16 rounding half-to-even (numpy's round), as SpikeInterface writes integer output.
 * Values beyond int16 are clamped (numpy would wrap); returns how many were clamped.
 */
size_t round_to_int16(const float* in, size_t n, int16_t* out, int workers);

}  // namespace probedeck

// Frames → the channels kept: an acquisition file interleaves more columns than are processed (a
// SpikeGLX sync word after the neural channels, a saved subset picked by the user). Reading a chunk
// keeps the wanted columns in place, in one pass off the event loop.
#pragma once
#include <cstddef>
#include <cstdint>

namespace probedeck {

/**
 * Rows of `frame` values of `elem_bytes` each → rows of `kept` values: value k of row t is value
 * columns[k] of input row t. `out` may be `in` when `columns` ascend (no write then lands on a value
 * not yet read). `from_uint16`: the values are uint16 and become int16 minus 32768, as
 * SpikeInterface's unsigned_to_signed (the input is changed so).
 */
void keep_columns(uint8_t* in, size_t rows, size_t frame, size_t elem_bytes, const int32_t* columns, size_t kept, bool from_uint16, uint8_t* out);

}  // namespace probedeck
